using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Push.Core.Storage;

namespace Push.Core.Registry;

/// <summary>
/// After a key-encryption-key rotation, moves every device key still wrapped with an earlier KEK to the current one, so
/// that the earlier KEK can be retired. Run by the <c>RewrapDeviceKeys</c> timer; safe on several instances at once.
/// </summary>
/// <remarks>
/// Each row is re-wrapped with a merge conditional on the ETag it was read with, and only its key columns change: the
/// registration (tokens, <c>RegisteredAt</c>) is never touched. A device that registers again meanwhile gets its new key
/// wrapped with the current KEK anyway; its merge fails with 412 and is left to the next run. With no earlier KEK
/// configured there is nothing a run could unwrap, so it does not read the table at all.
/// </remarks>
public sealed partial class DeviceKeyRewrap
{
    /// <summary>A run stops reading after this long, well inside the timer's functionTimeout; the next run goes on.</summary>
    public static readonly TimeSpan RunBudget = TimeSpan.FromMinutes(2);

    // Rows re-wrapped at once: enough to keep a Table account busy, few enough not to crowd the delivery path.
    private const int Parallelism = 8;

    // Unreadable rows named in the log per run; the rest are counted in the run's summary line.
    private const int UnreadableRowsLogged = 20;

    private static readonly string[] KeyColumns = ["PartitionKey", "RowKey", nameof(DeviceEntity.KeyId), nameof(DeviceEntity.KekId), nameof(DeviceEntity.WrappedKey)];

    private readonly LazyTable _table;
    private readonly AesGcmDeviceKeyProtector _protector;
    private readonly TimeProvider _time;
    private readonly ILogger<DeviceKeyRewrap> _logger;

    public DeviceKeyRewrap(TableServiceClient tableService, AesGcmDeviceKeyProtector protector, IOptions<DeviceRegistryOptions> options,
        TimeProvider time, ILogger<DeviceKeyRewrap> logger)
    {
        ArgumentNullException.ThrowIfNull(tableService);
        ArgumentNullException.ThrowIfNull(options);
        _protector = protector ?? throw new ArgumentNullException(nameof(protector));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _table = new LazyTable(tableService, options.Value.DevicesTable);
    }

    public async Task<DeviceKeyRewrapReport> RunAsync(CancellationToken cancellationToken)
    {
        var current = _protector.CurrentKekId;
        var previous = _protector.PreviousKekIds;
        if (previous.Count == 0)
        {
            LogNoPreviousKek(current);
            return new DeviceKeyRewrapReport(current, previous, 0, 0, new Dictionary<string, int>(), Finished: true);
        }

        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var started = _time.GetTimestamp();
        using var budget = new CancellationTokenSource(RunBudget, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        var rewrapped = 0;
        var changedMeanwhile = 0;
        var unreadable = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var unreadableLogged = 0;
        var finished = true;
        var rows = table.QueryAsync<DeviceEntity>(TableClient.CreateQueryFilter($"KekId ne {current}"), maxPerPage: 1000, select: KeyColumns,
            cancellationToken: linked.Token);
        try
        {
            await Parallel.ForEachAsync(rows, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = linked.Token },
                async (row, token) =>
                {
                    WrappedDeviceKey moved;
                    try
                    {
                        moved = _protector.Rewrap(new WrappedDeviceKey(row.KeyId, row.KekId, row.WrappedKey));
                    }
                    catch (CryptographicException)
                    {
                        // The KEK id is a label, not a secret; the user and device appear only hashed.
                        unreadable.AddOrUpdate(row.KekId ?? string.Empty, 1, (_, n) => n + 1);
                        if (Interlocked.Increment(ref unreadableLogged) > UnreadableRowsLogged) return;
                        LogUnreadable(SecretHash.Of(row.PartitionKey), SecretHash.Of(row.RowKey), row.KekId ?? string.Empty,
                            _protector.CanUnwrap(row.KekId) ? "it fails authentication under that KEK" : "that KEK is not configured");
                        return;
                    }
                    var update = new TableEntity(row.PartitionKey, row.RowKey)
                    {
                        [nameof(DeviceEntity.KekId)] = moved.KekId,
                        [nameof(DeviceEntity.WrappedKey)] = moved.Wrapped,
                    };
                    try
                    {
                        await table.UpdateEntityAsync(update, row.ETag, TableUpdateMode.Merge, token).ConfigureAwait(false);
                        Interlocked.Increment(ref rewrapped);
                    }
                    catch (RequestFailedException ex) when (ex.Status is 404 or 412)
                    {
                        // Registered again, a token removed, or the device gone since the read: the next run decides anew.
                        Interlocked.Increment(ref changedMeanwhile);
                    }
                }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            finished = false;
        }

        var report = new DeviceKeyRewrapReport(current, previous, rewrapped, changedMeanwhile,
            unreadable.ToDictionary(StringComparer.Ordinal), finished);
        LogRun(rewrapped, current, changedMeanwhile, unreadable.Values.Sum(), finished ? "all read" : $"stopped after {RunBudget.TotalMinutes:0} min, the next run goes on",
            _time.GetElapsedTime(started).TotalSeconds);
        if (report.EarlierKeksCanBeRetired)
        {
            LogEarlierKeksUnused(string.Join(", ", previous), current);
        }
        return report;
    }
}

/// <summary>What one re-wrap run did.</summary>
/// <param name="Unreadable">Rows that could not be re-wrapped, by the KEK id they carry (not configured, or failing authentication).</param>
/// <param name="Finished">False when the run's time budget ended before every row was read.</param>
public sealed record DeviceKeyRewrapReport(
    string CurrentKekId,
    IReadOnlyList<string> PreviousKekIds,
    int Rewrapped,
    int ChangedMeanwhile,
    IReadOnlyDictionary<string, int> Unreadable,
    bool Finished)
{
    /// <summary>
    /// No row on an earlier KEK was left behind: every one read was moved, none changed under the run, none unreadable.
    /// The earlier KEKs (and their secrets) can then be removed from configuration.
    /// </summary>
    public bool EarlierKeksCanBeRetired => PreviousKekIds.Count > 0 && Finished && ChangedMeanwhile == 0 && Unreadable.Count == 0;
}
