namespace Push.Core.Ledger;

/// <summary>Per tracking id, the outcome for each device. Backed by Azure Table storage.</summary>
public interface IDeliveryLedger
{
    /// <summary>Every entry for the tracking id, keyed by device id.</summary>
    Task<IReadOnlyDictionary<string, LedgerEntry>> GetAsync(string trackingId, CancellationToken cancellationToken);

    /// <summary>Writes (upserts) the entry.</summary>
    Task RecordAsync(LedgerEntry entry, CancellationToken cancellationToken);
}
