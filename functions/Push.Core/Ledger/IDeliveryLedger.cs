namespace Push.Core.Ledger;

/// <summary>Per tracking id, the outcome for each device. Backed by Azure Table storage.</summary>
public interface IDeliveryLedger
{
    /// <summary>Every entry for the tracking id, keyed by device id.</summary>
    Task<IReadOnlyDictionary<string, LedgerEntry>> GetAsync(string trackingId, CancellationToken cancellationToken);

    /// <summary>Writes (upserts) the entry.</summary>
    Task RecordAsync(LedgerEntry entry, CancellationToken cancellationToken);

    /// <summary>
    /// Writes (upserts) many entries. Table storage implements it with one transaction per tracking id and
    /// per 100 rows; this default writes them one at a time so other implementations need not.
    /// </summary>
    async Task RecordManyAsync(IEnumerable<LedgerEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var entry in entries)
        {
            await RecordAsync(entry, cancellationToken).ConfigureAwait(false);
        }
    }
}
