using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Push.Core.Ledger;
using Push.Providers.Results;

namespace Push.Core.DeadLetters;

/// <summary>
/// The dead-letter handler: for each poison queue, classify every entry, then replay the transient ones whose cool-down
/// has ended (at most <c>DeadLetters:MaxReplays</c> times per message), leave the others cooling down, and archive the rest.
/// </summary>
/// <remarks>
/// Write first, delete second: an entry leaves its poison queue only after its archive row or its replay has been written,
/// so a crash in between yields at most a duplicate (an archive upsert of the same row, or a replay the ledger dedupes),
/// never a loss. One bad entry never stops the run: it is left for its lease to end and the next entry is taken.
/// </remarks>
public sealed partial class DeadLetterTriage
{
    /// <summary>The detail of an entry archived because it was already replayed <c>MaxReplays</c> times.</summary>
    public const string ReplayCapReached = "ReplayCapReached";

    /// <summary>Storage returns at most 32 messages per receive.</summary>
    private const int ReceiveBatch = 32;

    private readonly IDeadLetterQueue _queue;
    private readonly DeadLetterArchive _archive;
    private readonly IDeliveryLedger _ledger;
    private readonly DeadLetterOptions _options;
    private readonly DeadLetterMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<DeadLetterTriage> _logger;

    public DeadLetterTriage(IDeadLetterQueue queue, DeadLetterArchive archive, IDeliveryLedger ledger, IOptions<DeadLetterOptions> options,
        DeadLetterMetrics metrics, TimeProvider time, ILogger<DeadLetterTriage> logger)
    {
        _queue = queue ?? throw new ArgumentNullException(nameof(queue));
        _archive = archive ?? throw new ArgumentNullException(nameof(archive));
        _ledger = ledger ?? throw new ArgumentNullException(nameof(ledger));
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Value;
        _metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>Triage of every entry currently visible in the poison queues of <paramref name="sourceQueues"/>.</summary>
    public async Task<DeadLetterTriageSummary> RunAsync(IEnumerable<string> sourceQueues, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sourceQueues);
        var summary = new DeadLetterTriageSummary();
        foreach (var sourceQueue in sourceQueues)
        {
            var taken = 0;
            while (taken < _options.MaxEntriesPerRun)
            {
                var batch = await _queue.ReceiveAsync(sourceQueue, Math.Min(ReceiveBatch, _options.MaxEntriesPerRun - taken),
                    _options.Lease, cancellationToken).ConfigureAwait(false);
                if (batch.Count == 0) break;
                taken += batch.Count;
                foreach (var entry in batch)
                {
                    var (outcome, cls) = await TriageAsync(entry, cancellationToken).ConfigureAwait(false);
                    summary.Add(outcome, cls);
                }
            }
        }
        LogRunCompleted(summary.Replayed, summary.Archived, summary.Deferred, summary.Failed);
        return summary;
    }

    /// <summary>Classifies one received entry and settles it. Never throws for a bad entry (only for cancellation).</summary>
    public async Task<(DeadLetterOutcome Outcome, DeadLetterClass Class)> TriageAsync(DeadLetterEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var now = _time.GetUtcNow();
        DeadLetterAssessment assessment;
        try
        {
            assessment = await AssessAsync(entry, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            _metrics.Failed(entry.SourceQueue);
            LogEntryFailed(entry.SourceQueue, entry.MessageId, null, entry.Reason.ToString(), ex.GetType().Name);
            return (DeadLetterOutcome.Failed, DeadLetterClass.Permanent);
        }
        try
        {
            if (assessment.Class != DeadLetterClass.Transient)
            {
                await ArchiveAsync(entry, assessment, detail: null, cancellationToken).ConfigureAwait(false);
                return (DeadLetterOutcome.Archived, assessment.Class);
            }

            var dueAt = entry.DeadLetteredOn + _options.ReplayCoolDown;
            if (now < dueAt)
            {
                await _queue.HideAsync(entry, dueAt - now, cancellationToken).ConfigureAwait(false);
                _metrics.Deferred(entry.SourceQueue);
                LogDeferred(entry.SourceQueue, entry.MessageId, assessment.TrackingId, entry.Reason.ToString(), dueAt);
                return (DeadLetterOutcome.Deferred, assessment.Class);
            }

            var replays = await _archive.GetReplayCountAsync(entry.SourceQueue, entry.OriginalMessageText!, cancellationToken).ConfigureAwait(false);
            if (replays >= _options.MaxReplays)
            {
                var capped = assessment with { Class = DeadLetterClass.Permanent };
                await ArchiveAsync(entry, capped, ReplayCapReached, cancellationToken).ConfigureAwait(false);
                return (DeadLetterOutcome.Archived, DeadLetterClass.Permanent);
            }

            await ReplayAsync(entry, assessment, cancellationToken).ConfigureAwait(false);
            return (DeadLetterOutcome.Replayed, assessment.Class);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Only the exception's type: Storage messages can quote request URIs and bodies.
            _metrics.Failed(entry.SourceQueue);
            LogEntryFailed(entry.SourceQueue, entry.MessageId, assessment.TrackingId, entry.Reason.ToString(), ex.GetType().Name);
            return (DeadLetterOutcome.Failed, assessment.Class);
        }
    }

    /// <summary>
    /// What triage concludes about <paramref name="entry"/> now. When the transport gave up without the relay saying why,
    /// the ledger's latest provider failure for the event decides whether it was an outage (transient) or not.
    /// </summary>
    public async Task<DeadLetterAssessment> AssessAsync(DeadLetterEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        PushFailureReason? lastFailure = null;
        if (entry.Reason.IsDeliveryCountExhausted && entry.OriginalBody is { } body
            && DeadLetterClassifier.ReadIdentity(body).TrackingId is { } trackingId)
        {
            lastFailure = LastProviderFailure(await _ledger.GetAsync(trackingId, cancellationToken).ConfigureAwait(false));
        }
        return DeadLetterClassifier.Assess(entry, _time.GetUtcNow(), lastFailure);
    }

    // The most recent provider failure the pipeline recorded for any device of the event.
    private static PushFailureReason? LastProviderFailure(IReadOnlyDictionary<string, LedgerEntry> rows) =>
        rows.Values
            .Where(r => r.Status is DeliveryStatus.Pending or DeliveryStatus.DeadLettered)
            .OrderByDescending(r => r.LastAttemptAt)
            .Select(r => r.ProviderFailure)
            .FirstOrDefault(f => f is not null);

    /// <summary>
    /// Sends the original back unchanged to its queue (so the ledger skips devices already delivered), counted, then
    /// removes the entry. Used by the timer and by an operator's replay; the cap applies to the timer only.
    /// </summary>
    public async Task ReplayAsync(DeadLetterEntry entry, DeadLetterAssessment assessment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(assessment);
        if (!entry.IsReadable) throw new InvalidOperationException("an unreadable dead-letter entry cannot be replayed");
        var count = await _archive.RecordReplayAsync(entry.SourceQueue, entry.OriginalMessageText!, cancellationToken).ConfigureAwait(false);
        await _queue.ReplayAsync(entry, cancellationToken).ConfigureAwait(false);
        await _queue.DeleteAsync(entry, cancellationToken).ConfigureAwait(false);
        _metrics.Replayed(entry.SourceQueue);
        LogReplayed(entry.SourceQueue, entry.MessageId, assessment.TrackingId, entry.Reason.ToString(), count);
    }

    /// <summary>Writes the archive row, then removes the entry.</summary>
    public async Task ArchiveAsync(DeadLetterEntry entry, DeadLetterAssessment assessment, string? detail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(assessment);
        var replays = entry.IsReadable
            ? await _archive.GetReplayCountAsync(entry.SourceQueue, entry.OriginalMessageText!, cancellationToken).ConfigureAwait(false)
            : 0;
        var record = DeadLetterArchiveRecord.From(entry, assessment, detail, replays, _time.GetUtcNow());
        await _archive.ArchiveAsync(record, cancellationToken).ConfigureAwait(false);
        await _queue.DeleteAsync(entry, cancellationToken).ConfigureAwait(false);
        _metrics.Archived(entry.SourceQueue, record.Class);
        LogArchived(entry.SourceQueue, entry.MessageId, record.TrackingId, entry.Reason.ToString(), record.Class, record.Detail);
    }
}
