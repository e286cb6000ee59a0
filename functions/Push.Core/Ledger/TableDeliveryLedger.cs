using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Push.Core.Storage;

namespace Push.Core.Ledger;

/// <summary>The delivery ledger on Azure Table storage: partition = tracking id, row = device id.</summary>
public sealed partial class TableDeliveryLedger : IDeliveryLedger
{
    /// <summary>Table storage's limit of operations in one entity group transaction.</summary>
    public const int MaxBatchSize = 100;

    private readonly LazyTable _table;
    private readonly ILogger<TableDeliveryLedger> _logger;

    public TableDeliveryLedger(TableServiceClient tableService, IOptions<DeliveryLedgerOptions> options, ILogger<TableDeliveryLedger> logger)
    {
        ArgumentNullException.ThrowIfNull(tableService);
        ArgumentNullException.ThrowIfNull(options);
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _table = new LazyTable(tableService, options.Value.Table);
    }

    public async Task<IReadOnlyDictionary<string, LedgerEntry>> GetAsync(string trackingId, CancellationToken cancellationToken)
    {
        var partitionKey = LedgerTableEntity.PartitionKeyOf(trackingId);
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey}");
        var entries = new Dictionary<string, LedgerEntry>(StringComparer.Ordinal);
        await foreach (var entity in table.QueryAsync<LedgerTableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var entry = entity.ToEntry();
            entries[entry.DeviceId] = entry;
        }
        return entries;
    }

    public async Task RecordAsync(LedgerEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var entity = LedgerTableEntity.From(entry);
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        Log.Recorded(_logger, entry.TrackingId, SecretHash.Of(entry.DeviceId), entry.Status, entry.Attempts);
    }

    /// <summary>
    /// Upserts many entries with one transaction per tracking id and per 100 rows (one round trip instead
    /// of one each). Each transaction is all-or-nothing; different tracking ids are independent. When an
    /// entry for the same tracking id and device appears more than once, the last one wins.
    /// </summary>
    public async Task RecordManyAsync(IEnumerable<LedgerEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        // A transaction may touch each row only once, so duplicates collapse to the last entry first.
        var byPartition = new Dictionary<string, Dictionary<string, LedgerTableEntity>>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            ArgumentNullException.ThrowIfNull(entry, nameof(entries));
            var entity = LedgerTableEntity.From(entry);
            if (!byPartition.TryGetValue(entity.PartitionKey, out var rows))
            {
                rows = new Dictionary<string, LedgerTableEntity>(StringComparer.Ordinal);
                byPartition.Add(entity.PartitionKey, rows);
            }
            rows[entity.RowKey] = entity;
        }
        if (byPartition.Count == 0) return;

        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (partitionKey, rows) in byPartition)
        {
            foreach (var chunk in rows.Values.Chunk(MaxBatchSize))
            {
                if (chunk.Length == 1)
                {
                    await table.UpsertEntityAsync(chunk[0], TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    var actions = chunk.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e));
                    await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
                }
                Log.RecordedBatch(_logger, TableKeys.Unescape(partitionKey), chunk.Length);
            }
        }
    }
}
