using Azure;
using Azure.Data.Tables;
using Push.Core.Storage;

namespace Push.Core.Ledger;

/// <summary>
/// A ledger row: partition = tracking id, row = device id, both escaped with <see cref="TableKeys.Escape"/>
/// because tracking ids are chosen by producers and may hold characters keys cannot.
/// </summary>
internal sealed class LedgerTableEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = string.Empty;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string EventType { get; set; } = string.Empty;
    public string Status { get; set; } = string.Empty;
    public string? Provider { get; set; }
    public string? Reason { get; set; }
    public Guid? ApnsId { get; set; }
    public string? ProviderMessageId { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset FirstAttemptAt { get; set; }
    public DateTimeOffset LastAttemptAt { get; set; }

    public static LedgerTableEntity From(LedgerEntry entry) => new()
    {
        PartitionKey = PartitionKeyOf(entry.TrackingId),
        RowKey = TableKeys.Escape(entry.DeviceId, nameof(entry.DeviceId)),
        EventType = entry.EventType,
        Status = entry.Status.ToString(),
        Provider = entry.Provider,
        Reason = entry.Reason,
        ApnsId = entry.ApnsId,
        ProviderMessageId = entry.ProviderMessageId,
        Attempts = entry.Attempts,
        FirstAttemptAt = entry.FirstAttemptAt,
        LastAttemptAt = entry.LastAttemptAt,
    };

    public static string PartitionKeyOf(string trackingId) => TableKeys.Escape(trackingId, "TrackingId");

    public LedgerEntry ToEntry()
    {
        if (!Enum.TryParse<DeliveryStatus>(Status, ignoreCase: false, out var status) || !Enum.IsDefined(status))
        {
            throw new InvalidDataException($"Ledger row {PartitionKey}/{RowKey} has an unknown Status '{Status}'.");
        }
        return new LedgerEntry(
            TableKeys.Unescape(PartitionKey),
            TableKeys.Unescape(RowKey),
            EventType,
            status,
            Provider,
            Reason,
            ApnsId,
            ProviderMessageId,
            Attempts,
            FirstAttemptAt,
            LastAttemptAt);
    }
}
