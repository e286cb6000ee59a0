using System.Diagnostics;
using Push.Core.DeadLetters;
using Push.Core.Events;
using Push.Core.Ledger;
using Push.Core.Registry;
using Push.Core.Routing;
using Push.Core.Storage;
using Push.Providers.Results;
using Microsoft.Extensions.Logging;

namespace Push.Core.Delivery;

/// <summary>
/// The delivery pipeline for one queue message: parse and validate the event, look up the recipient's
/// devices, and for every device without a final outcome yet compose, encrypt and send the push, then
/// record the outcome in the ledger. The verdict tells the transport whether the message is done,
/// should come back later, or must be dead-lettered.
/// </summary>
/// <remarks>
/// <para>The ledger makes redelivery safe: a device whose outcome is final is never pushed again. Every attempt at
/// an APNs push carries the same <c>apns-id</c>, derived from the tracking id and the device (<see cref="ApnsIds"/>),
/// even when a crash lost the ledger row.</para>
/// <para>The retry budget is time, not the transport's delivery count (which only bounds failures of the relay
/// itself): a device keeps being retried until <see cref="DeliveryOptions.RetryBudget"/> has passed since its first
/// attempt, and a ringing call until its ring time ends, after which it is <see cref="DeliveryStatus.Expired"/>. A device
/// whose budget ran out (<see cref="LedgerEntry.RanOutOfRetries"/>) is tried again, with a new budget, when triage or an
/// operator replays the dead-lettered event.</para>
/// </remarks>
public sealed partial class EventDelivery
{
    private readonly IDeviceRegistry _registry;
    private readonly IDeliveryLedger _ledger;
    private readonly PushComposer _composer;
    private readonly IPushDispatcher _dispatcher;
    private readonly ProviderHolds _holds;
    private readonly DeviceEventHandler _deviceEvents;
    private readonly RetryBackoff _backoff;
    private readonly DeliveryOptions _options;
    private readonly RelayMetrics _metrics;
    private readonly CallPriority _callPriority;
    private readonly TimeProvider _time;
    private readonly ILogger<EventDelivery> _logger;

    public EventDelivery(
        IDeviceRegistry registry,
        IDeliveryLedger ledger,
        PushComposer composer,
        IPushDispatcher dispatcher,
        ProviderHolds holds,
        DeviceEventHandler deviceEvents,
        DeliveryOptions options,
        RelayMetrics metrics,
        CallPriority callPriority,
        TimeProvider time,
        ILogger<EventDelivery> logger)
    {
        _registry = registry;
        _ledger = ledger;
        _composer = composer;
        _dispatcher = dispatcher;
        _holds = holds;
        _deviceEvents = deviceEvents;
        _options = options;
        _backoff = new RetryBackoff(options);
        _metrics = metrics;
        _callPriority = callPriority;
        _time = time;
        _logger = logger;
    }

    private static readonly Task<IReadOnlyDictionary<string, LedgerEntry>> NoOutcomesYet =
        Task.FromResult<IReadOnlyDictionary<string, LedgerEntry>>(new Dictionary<string, LedgerEntry>());

    public async Task<DeliveryVerdict> DeliverAsync(DeliveryRequest request, EventRoute route, CancellationToken cancellationToken)
    {
        if (route == EventRoute.Calls)
        {
            using var call = _callPriority.EnterCall();
            return await DeliverCoreAsync(request, route, cancellationToken);
        }
        if (route == EventRoute.Messages
            && await _callPriority.YieldToCallsAsync(_options.MessageYieldLimit, _time, cancellationToken))
        {
            _metrics.MessageYielded();
        }
        return await DeliverCoreAsync(request, route, cancellationToken);
    }

    private async Task<DeliveryVerdict> DeliverCoreAsync(DeliveryRequest request, EventRoute route, CancellationToken cancellationToken)
    {
        var parsed = PushEventParser.Parse(request.Body);
        if (!parsed.IsSuccess)
        {
            var problem = parsed.Problem;
            _metrics.EventRejected(problem.Code.ToString());
            LogEventRejected(request.MessageId, problem.Code, problem.Field, problem.Problem);
            return DeliveryVerdict.DeadLetter(DeadLetterReason.InvalidEvent(problem.Code), problem.ToString());
        }

        var evt = parsed.Event;
        _metrics.EventReceived(evt.Type);
        using var activity = RelayMetrics.ActivitySource.StartActivity("deliver " + evt.Type, ActivityKind.Consumer);
        activity?.SetTag("push.tracking_id", evt.TrackingId);
        activity?.SetTag("push.event_type", evt.Type);

        if (!RouteAccepts(route, evt.Type))
        {
            LogWrongQueue(evt.TrackingId, evt.Type, route);
            _metrics.EventRejected("WrongQueue");
            return DeliveryVerdict.DeadLetter(DeadLetterReason.WrongQueue,
                $"WrongQueue: type: {evt.Type} does not belong on the {route.ToString().ToLowerInvariant()} queue");
        }

        if (!PushEventTypes.IsDeliverable(evt.Type))
        {
            await _deviceEvents.HandleAsync(evt, cancellationToken);
            LogDeviceEventApplied(evt.TrackingId, evt.Type, SecretHash.Of(evt.Subject));
            return DeliveryVerdict.Done;
        }

        return await FanOutAsync(evt, request, cancellationToken);
    }

    private static bool RouteAccepts(EventRoute route, string type) => route switch
    {
        EventRoute.Calls => type is PushEventTypes.CallIncoming or PushEventTypes.CallEnded,
        EventRoute.Messages => type is PushEventTypes.ImMessage,
        EventRoute.Devices => type is PushEventTypes.DeviceRegistered or PushEventTypes.DeviceUnregistered,
        _ => false,
    };

    private async Task<DeliveryVerdict> FanOutAsync(PushEvent evt, DeliveryRequest request, CancellationToken cancellationToken)
    {
        // Two independent reads: side by side, so an event waits for one storage round trip instead of two. A first
        // delivery has no earlier outcome to find (DeliveryRequest.FirstDelivery): its ledger read would always be empty.
        var registryRead = _registry.GetDevicesAsync(evt.Subject, cancellationToken);
        var ledgerRead = request.FirstDelivery ? NoOutcomesYet : _ledger.GetAsync(evt.TrackingId, cancellationToken);
        await Task.WhenAll(registryRead, ledgerRead);
        var registered = await registryRead;
        var devices = registered.Where(device => PushComposer.Targets(evt, device)).ToList();
        var ledger = await ledgerRead;

        if (devices.Count == 0)
        {
            // A user with devices of which the event named none is not "no devices": say which it was.
            var (rowKey, reason) = registered.Count == 0
                ? (LedgerEntry.NoDevicesRowKey, LedgerEntry.NoDevicesReason)
                : (LedgerEntry.NoMatchingDevicesRowKey, LedgerEntry.NoMatchingDevicesReason);
            if (!ledger.ContainsKey(rowKey) && !ledger.Values.Any(e => e.Status.IsFinal()))
            {
                var now = _time.GetUtcNow();
                await _ledger.RecordAsync(new LedgerEntry(evt.TrackingId, rowKey, evt.Type,
                    DeliveryStatus.Delivered, Provider: null, reason, ApnsId: null, ProviderMessageId: null,
                    Attempts: 0, now, now), cancellationToken);
            }
            if (registered.Count == 0)
            {
                LogNoDevices(evt.TrackingId, SecretHash.Of(evt.Subject));
            }
            else
            {
                LogNoMatchingDevices(evt.TrackingId, SecretHash.Of(evt.Subject), registered.Count);
            }
            return DeliveryVerdict.Done;
        }

        // A device that ran out of retries is tried again: the event only comes back once it was dead-lettered for that (a replay).
        var pending = devices.Where(d => !(ledger.TryGetValue(d.DeviceId, out var e) && e.Status.IsFinal() && !e.RanOutOfRetries)).ToList();
        var results = new DeviceOutcome[pending.Count];
        var ledgerWrites = new LedgerGroupCommit(_ledger, pending.Count, _options.LedgerGroupCommitWindow, _time, cancellationToken);
        try
        {
            await Parallel.ForEachAsync(
                Enumerable.Range(0, pending.Count),
                new ParallelOptions { MaxDegreeOfParallelism = _options.MaxParallelDevices, CancellationToken = cancellationToken },
                async (i, ct) =>
                {
                    ledger.TryGetValue(pending[i].DeviceId, out var previous);
                    results[i] = await DeliverToDeviceAsync(evt, pending[i], previous, request, ct);
                    ledgerWrites.Add(results[i].Entry);
                });
        }
        finally
        {
            // Also when a device failed unexpectedly: what the others answered is recorded before the message comes back.
            await ledgerWrites.CompleteAsync();
        }

        var retry = results.Where(r => r.Entry.Status == DeliveryStatus.Pending).ToList();
        if (retry.Count > 0)
        {
            var delay = retry.Max(r => r.RetryDelay!.Value);
            var reason = retry[0].Entry.Reason ?? "Transient";
            LogRetryScheduled(evt.TrackingId, retry.Count, reason, delay);
            return DeliveryVerdict.RetryLater(delay, reason);
        }

        var exhausted = results.Where(r => r.ExhaustedRetries is not null).ToList();
        if (exhausted.Count > 0)
        {
            // The provider's reason goes with the dead letter, so triage can tell an outage (replayable) from a bad request.
            var reasons = string.Join(",", exhausted.Select(r => r.ExhaustedRetries).Distinct());
            var first = exhausted.Min(r => r.Entry.FirstAttemptAt);
            return DeliveryVerdict.DeadLetter(DeadLetterReason.RetriesExhausted(exhausted[0].ExhaustedRetries!.Value),
                $"{exhausted.Count} device(s) still failing after {exhausted.Max(r => r.Entry.Attempts)} attempt(s) over " +
                $"{(_time.GetUtcNow() - first).TotalSeconds:0} s (Delivery:RetryBudget {_options.RetryBudget}): {reasons}");
        }
        // One line per event, not per push: what an operator correlates with a tracking id (the per-push line is Debug).
        var pushed = results.Count(r => r.Entry.Status == DeliveryStatus.Delivered);
        LogEventDone(evt.TrackingId, evt.Type, pushed, results.Length - pushed, devices.Count - pending.Count);
        return DeliveryVerdict.Done;
    }

    private async Task<DeviceOutcome> DeliverToDeviceAsync(PushEvent evt, RegisteredDevice device, LedgerEntry? previous,
        DeliveryRequest request, CancellationToken cancellationToken)
    {
        // A row from before apns-ids were derived keeps its own, so one push never changes its id midway.
        var apnsId = previous?.ApnsId ?? ApnsIds.For(evt.TrackingId, device.DeviceId);
        var attempt = new Attempt(evt, device, previous, apnsId, _time.GetUtcNow(), Retries);
        ComposedPush composed;
        try
        {
            composed = _composer.Compose(evt, device, apnsId);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            // The stored key cannot be unwrapped (a rotated-away KEK, a tampered row): retrying cannot help.
            _metrics.DeadLettered("DeviceKeyUnreadable");
            LogDeviceKeyUnreadable(evt.TrackingId, SecretHash.Of(device.DeviceId));
            return attempt.Final(DeliveryStatus.DeadLettered, provider: null, reason: "DeviceKeyUnreadable");
        }
        switch (composed)
        {
            case ComposedPush.Expired:
                _metrics.Expired();
                LogExpired(evt.TrackingId, SecretHash.Of(device.DeviceId));
                return attempt.Final(DeliveryStatus.Expired, provider: null, reason: "RingTimeElapsed");
            case ComposedPush.NotSendable notSendable:
                _metrics.DeadLettered(notSendable.Reason.ToString());
                LogNotSendable(evt.TrackingId, SecretHash.Of(device.DeviceId), notSendable.Reason);
                return attempt.Final(DeliveryStatus.DeadLettered, provider: null, reason: notSendable.Reason.ToString());
            default:
                return await SendAsync(attempt, composed, request, cancellationToken);
        }
    }

    private async Task<DeviceOutcome> SendAsync(Attempt attempt, ComposedPush composed, DeliveryRequest request,
        CancellationToken cancellationToken)
    {
        var (provider, token) = composed switch
        {
            ComposedPush.Apns apns => ("apns", apns.Notification.DeviceToken),
            ComposedPush.Fcm fcm => ("fcm", fcm.Message.Token),
            _ => throw new InvalidOperationException("not a provider push: " + composed.GetType().Name),
        };
        var deviceHash = SecretHash.Of(attempt.Device.DeviceId);
        if (_holds.Check(composed, attempt.Event.TrackingId, deviceHash) is { } hold)
        {
            // The provider asked for quiet on this target: not sent, and the message comes back after the hold.
            return attempt.Transient(provider, hold.Reason, hold.Remaining);
        }
        PushResult result;
        try
        {
            result = await _dispatcher.SendAsync(composed, cancellationToken);
        }
        catch (PushTransportException ex)
        {
            _metrics.PushFailed(provider, ex.Reason.ToString());
            LogTransportFailure(attempt.Event.TrackingId, deviceHash, provider, ex.Reason);
            return attempt.Transient(provider, ex.Reason, retryAfter: null);
        }

        _holds.Observe(composed, result);
        // Enqueue-to-provider latency of first attempts only: a retry copy's enqueue time says nothing about the producer's.
        if (request.EnqueuedAt is { } enqueuedAt && attempt.Previous is null)
        {
            _metrics.ProviderAnswered(provider, attempt.Event.Type, _time.GetUtcNow() - enqueuedAt);
        }

        switch (result)
        {
            case PushAccepted accepted:
                _metrics.PushSent(provider, attempt.Event.Type);
                LogDelivered(attempt.Event.TrackingId, deviceHash, provider);
                return attempt.Final(DeliveryStatus.Delivered, provider, reason: null, accepted.ProviderMessageId);

            case PushRejected rejected when rejected.RemovesToken:
                _metrics.PushFailed(provider, rejected.Reason.ToString());
                var invalidSince = rejected.TokenInvalidSince ?? _time.GetUtcNow();
                var removal = await _registry.RemoveTokenAsync(attempt.Device.UserId, attempt.Device.DeviceId, token,
                    invalidSince, cancellationToken);
                if (removal == TokenRemovalOutcome.Removed)
                {
                    _metrics.TokenRemoved(provider);
                }
                LogTokenRejected(attempt.Event.TrackingId, deviceHash, provider, rejected.Reason, removal);
                return attempt.Final(DeliveryStatus.TokenRemoved, provider, $"{rejected.Reason}:{removal}");

            case PushRejected rejected when rejected.IsTransient:
                _metrics.PushFailed(provider, rejected.Reason.ToString());
                LogTransientRejection(attempt.Event.TrackingId, deviceHash, provider, rejected.Reason, rejected.HttpStatus);
                return attempt.Transient(provider, rejected.Reason, rejected.RetryAfter);

            case PushRejected rejected:
                _metrics.PushFailed(provider, rejected.Reason.ToString());
                _metrics.DeadLettered(rejected.Reason.ToString());
                LogPermanentRejection(attempt.Event.TrackingId, deviceHash, provider, rejected.Reason, rejected.HttpStatus);
                return attempt.Final(DeliveryStatus.DeadLettered, provider, rejected.Reason.ToString());

            default:
                throw new InvalidOperationException("unknown push result " + result.GetType().Name);
        }
    }

    /// <summary>The retry budget and back-off every attempt of this pipeline uses.</summary>
    private RetryPolicy Retries => new(_options.RetryBudget, _backoff);

    /// <summary>One device's try: builds the ledger row for whatever the outcome turns out to be.</summary>
    private readonly record struct Attempt(PushEvent Event, RegisteredDevice Device, LedgerEntry? Previous, Guid ApnsId, DateTimeOffset At,
        RetryPolicy Policy)
    {
        public int Number => (Previous?.Attempts ?? 0) + 1;

        /// <summary>Where the retry budget counts from: a replay after the budget ran out starts a new one.</summary>
        public DateTimeOffset FirstAt => Previous is { RanOutOfRetries: false } previous ? previous.FirstAttemptAt : At;

        public DeviceOutcome Final(DeliveryStatus status, string? provider, string? reason, string? providerMessageId = null) =>
            new(Entry(status, provider, reason, providerMessageId), RetryDelay: null, ExhaustedRetries: null);

        /// <summary>
        /// A failure that a later attempt may get past: pending with the next delay, unless the budget is spent (the event
        /// is dead-lettered with the provider's reason) or, for a ringing call, the next attempt would come after its ring
        /// time (expired: never a late ring).
        /// </summary>
        public DeviceOutcome Transient(string provider, PushFailureReason reason, TimeSpan? retryAfter)
        {
            var delay = Policy.Backoff.Next(Number, retryAfter);
            if (Event.Data is CallIncomingData call && At + delay >= Event.Time.AddSeconds(call.RingTimeoutSeconds))
            {
                return new(Entry(DeliveryStatus.Expired, provider, "RingTimeElapsed:" + reason, null), null, null);
            }
            if (At + delay - FirstAt > Policy.Budget)
            {
                return new(Entry(DeliveryStatus.DeadLettered, provider, reason.ToString(), null), null, reason);
            }
            return new(Entry(DeliveryStatus.Pending, provider, reason.ToString(), null), delay, null);
        }

        private LedgerEntry Entry(DeliveryStatus status, string? provider, string? reason, string? providerMessageId) => new(
            Event.TrackingId,
            Device.DeviceId,
            Event.Type,
            status,
            provider ?? Previous?.Provider,
            reason,
            provider == "apns" || Previous?.ApnsId is not null ? ApnsId : null,
            providerMessageId,
            Number,
            FirstAt,
            At);
    }

    private readonly record struct RetryPolicy(TimeSpan Budget, RetryBackoff Backoff);

    /// <param name="RetryDelay">Set when the device is pending: when it should be tried again.</param>
    /// <param name="ExhaustedRetries">Set when the retry budget ran out: the provider's last reason.</param>
    private readonly record struct DeviceOutcome(LedgerEntry Entry, TimeSpan? RetryDelay, PushFailureReason? ExhaustedRetries);
}
