using Azure;
using Azure.Data.Tables;
using Push.Core.Storage;

namespace Push.Core.DeadLetters;

/// <summary>
/// The archive table's rows. Three kinds share the table, told apart by <see cref="Kind"/>: archived dead letters
/// (row = message id + dead-letter time), replay counters (row = "replays-" + a hash of the original text, which
/// stays the same across replays because the text is sent back unchanged), and the reasons the relay gave for
/// messages it put on a poison queue itself (row = "reason-" + the same hash; a poison queue holds only the original
/// text, as the Functions host's poison queues do).
/// </summary>
internal sealed class DeadLetterTableEntity : ITableEntity
{
    public const string ArchivedKind = "Archived";
    public const string ReplayCounterKind = "ReplayCounter";
    public const string ReasonKind = "Reason";

    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Kind { get; set; } = ArchivedKind;
    public string? MessageId { get; set; }
    public string? Reason { get; set; }
    public string? Description { get; set; }
    public string? Class { get; set; }
    public string? Detail { get; set; }
    public string? TrackingId { get; set; }
    public string? EventType { get; set; }
    public DateTimeOffset? FirstAttemptAt { get; set; }
    public DateTimeOffset? LastAttemptAt { get; set; }
    public long DequeueCount { get; set; }
    public int ReplayCount { get; set; }
    public DateTimeOffset? ArchivedAt { get; set; }
    public DateTimeOffset? InsertedOn { get; set; }
    public DateTimeOffset? DeadLetteredOn { get; set; }
    public string? OriginalForm { get; set; }
    public byte[]? Original { get; set; }

    public static DeadLetterTableEntity From(DeadLetterArchiveRecord record) => new()
    {
        PartitionKey = TableKeys.Escape(record.SourceQueue, nameof(record.SourceQueue)),
        RowKey = TableKeys.Escape(record.RowId, nameof(record.RowId)),
        Kind = ArchivedKind,
        MessageId = record.MessageId,
        Reason = record.Reason,
        Description = record.Description,
        Class = record.Class.ToString(),
        Detail = record.Detail,
        TrackingId = record.TrackingId,
        EventType = record.EventType,
        FirstAttemptAt = record.FirstAttemptAt,
        LastAttemptAt = record.LastAttemptAt,
        DequeueCount = record.DequeueCount,
        ReplayCount = record.ReplayCount,
        ArchivedAt = record.ArchivedAt,
        OriginalForm = record.OriginalForm.ToString(),
        Original = record.Original,
    };

    public DeadLetterArchiveRecord ToRecord() => new(
        TableKeys.Unescape(PartitionKey),
        TableKeys.Unescape(RowKey),
        MessageId ?? "",
        Reason ?? "",
        Description,
        Enum.TryParse<DeadLetterClass>(Class, out var cls) ? cls : DeadLetterClass.Permanent,
        Detail,
        TrackingId,
        EventType,
        FirstAttemptAt,
        LastAttemptAt ?? default,
        DequeueCount,
        ReplayCount,
        ArchivedAt ?? default,
        Enum.TryParse<ArchivedOriginalForm>(OriginalForm, out var form) ? form : ArchivedOriginalForm.Withheld,
        Original);
}
