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
/// poison entry, partitioned by source queue; the replay counters that bound how often one message is replayed; and the
/// reasons the relay recorded for the messages it dead-lettered on a Storage poison queue.
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

    /// <summary>
    /// Records why the relay dead-lettered <paramref name="messageText"/>, before the text is put on the poison queue (so
    /// triage never sees the entry without its reason). The same text dead-lettered again replaces the row.
    /// </summary>
    public async Task RecordReasonAsync(string sourceQueue, string messageText, RecordedDeadLetterReason reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reason);
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        await table.UpsertEntityAsync(new DeadLetterTableEntity
        {
            PartitionKey = TableKeys.Escape(sourceQueue, nameof(sourceQueue)),
            RowKey = ReasonRowKey(messageText),
            Kind = DeadLetterTableEntity.ReasonKind,
            MessageId = reason.MessageId,
            Reason = reason.Reason.ToString(),
            Description = reason.Description,
            DequeueCount = reason.DequeueCount,
            InsertedOn = reason.InsertedOn,
            DeadLetteredOn = reason.DeadLetteredOn,
        }, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The reason the relay recorded for <paramref name="messageText"/>, or null (the host poisoned it, or no one said).</summary>
    public async Task<RecordedDeadLetterReason?> FindReasonAsync(string sourceQueue, string messageText, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var found = await table.GetEntityIfExistsAsync<DeadLetterTableEntity>(
            TableKeys.Escape(sourceQueue, nameof(sourceQueue)), ReasonRowKey(messageText), cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!found.HasValue || found.Value!.Kind != DeadLetterTableEntity.ReasonKind) return null;
        var row = found.Value;
        return new RecordedDeadLetterReason(DeadLetterReason.Parse(row.Reason), row.Description ?? "", row.MessageId ?? "",
            row.DequeueCount, row.InsertedOn, row.DeadLetteredOn ?? row.Timestamp ?? DateTimeOffset.UnixEpoch);
    }

    /// <summary>Forgets the reason once its entry has left the poison queue (archived or replayed). Already gone counts as done.</summary>
    public async Task DeleteReasonAsync(string sourceQueue, string messageText, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await table.DeleteEntityAsync(TableKeys.Escape(sourceQueue, nameof(sourceQueue)), ReasonRowKey(messageText),
                ETag.All, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }
    }

    private static string CounterRowKey(string originalMessageText) => "replays-" + TextHash(originalMessageText);

    private static string ReasonRowKey(string messageText) => "reason-" + TextHash(messageText);

    // A hash, not the text: the row key must not carry personal data, and the text can exceed a key's 1 KiB.
    private static string TextHash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
