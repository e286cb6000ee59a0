using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Push.Core.Storage;

namespace Push.Core.DeadLetters;

/// <summary>
/// The dead-letter archive on Table storage (<c>DeadLetters:ArchiveTable</c>, default "deadletters"): one row per archived
/// poison entry, partitioned by source queue, and the replay counters that bound how often one message is replayed.
/// </summary>
public sealed class DeadLetterArchive
{
    private const int MaxCounterAttempts = 5;
    private readonly LazyTable _table;

    public DeadLetterArchive(TableServiceClient tableService, IOptions<DeadLetterOptions> options)
    {
        ArgumentNullException.ThrowIfNull(tableService);
        ArgumentNullException.ThrowIfNull(options);
        _table = new LazyTable(tableService, options.Value.ArchiveTable);
    }

    public string TableName => _table.Name;

    /// <summary>Writes the row; writing the same entry again replaces it (one row per entry, however often it is archived).</summary>
    public async Task ArchiveAsync(DeadLetterArchiveRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        await table.UpsertEntityAsync(DeadLetterTableEntity.From(record), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One archived entry, or null.</summary>
    public async Task<DeadLetterArchiveRecord?> GetAsync(string sourceQueue, string rowId, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var found = await table.GetEntityIfExistsAsync<DeadLetterTableEntity>(
            TableKeys.Escape(sourceQueue, nameof(sourceQueue)), TableKeys.Escape(rowId, nameof(rowId)), cancellationToken: cancellationToken).ConfigureAwait(false);
        return found.HasValue && found.Value!.Kind == DeadLetterTableEntity.ArchivedKind ? found.Value.ToRecord() : null;
    }

    /// <summary>Archived entries, of one source queue or of all.</summary>
    public async IAsyncEnumerable<DeadLetterArchiveRecord> ListAsync(string? sourceQueue, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var kind = DeadLetterTableEntity.ArchivedKind;
        var filter = sourceQueue is null
            ? TableClient.CreateQueryFilter($"Kind eq {kind}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.Escape(sourceQueue, nameof(sourceQueue))} and Kind eq {kind}");
        await foreach (var entity in table.QueryAsync<DeadLetterTableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            yield return entity.ToRecord();
        }
    }

    /// <summary>How often this original text has been replayed to <paramref name="sourceQueue"/>.</summary>
    public async Task<int> GetReplayCountAsync(string sourceQueue, string originalMessageText, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var found = await table.GetEntityIfExistsAsync<DeadLetterTableEntity>(
            TableKeys.Escape(sourceQueue, nameof(sourceQueue)), CounterRowKey(originalMessageText), cancellationToken: cancellationToken).ConfigureAwait(false);
        return found.HasValue ? found.Value!.ReplayCount : 0;
    }

    /// <summary>
    /// Counts one more replay and returns the new count. Written before the replay is sent, so a crash in between
    /// over-counts (a message replayed once less) rather than letting a message loop past the cap.
    /// Compare-and-set, so two instances replaying duplicates of one message both count.
    /// </summary>
    public async Task<int> RecordReplayAsync(string sourceQueue, string originalMessageText, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var partition = TableKeys.Escape(sourceQueue, nameof(sourceQueue));
        var row = CounterRowKey(originalMessageText);
        for (var attempt = 1; ; attempt++)
        {
            var found = await table.GetEntityIfExistsAsync<DeadLetterTableEntity>(partition, row, cancellationToken: cancellationToken).ConfigureAwait(false);
            try
            {
                if (!found.HasValue)
                {
                    await table.AddEntityAsync(new DeadLetterTableEntity
                    {
                        PartitionKey = partition, RowKey = row, Kind = DeadLetterTableEntity.ReplayCounterKind, ReplayCount = 1,
                    }, cancellationToken).ConfigureAwait(false);
                    return 1;
                }
                var counter = found.Value!;
                counter.ReplayCount++;
                await table.UpdateEntityAsync(counter, counter.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                return counter.ReplayCount;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < MaxCounterAttempts)
            {
                // Another instance counted at the same moment: read again.
            }
        }
    }

    // A hash, not the text: the row key must not carry personal data, and the text can exceed a key's 1 KiB.
    private static string CounterRowKey(string originalMessageText) =>
        "replays-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(originalMessageText)));
}
