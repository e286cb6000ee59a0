using System.Diagnostics;
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
/// The ledger makes redelivery safe: a device whose outcome is final is never pushed again, and a
/// retried APNs push reuses the <c>apns-id</c> chosen on its first attempt.
/// </remarks>
public sealed partial class EventDelivery
{
    private readonly IDeviceRegistry _registry;
    private readonly IDeliveryLedger _ledger;
    private readonly PushComposer _composer;
    private readonly IPushDispatcher _dispatcher;
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
        _deviceEvents = deviceEvents;
        _options = options;
        _backoff = new RetryBackoff(options);
        _metrics = metrics;
        _callPriority = callPriority;
        _time = time;
        _logger = logger;
    }

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
            return DeliveryVerdict.DeadLetter("InvalidEvent:" + problem.Code, problem.ToString());
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
            return DeliveryVerdict.DeadLetter("InvalidEvent:WrongQueue",
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
        // Two independent reads: side by side, so an event waits for one storage round trip instead of two.
        var registryRead = _registry.GetDevicesAsync(evt.Subject, cancellationToken);
        var ledgerRead = _ledger.GetAsync(evt.TrackingId, cancellationToken);
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

        var isLastDelivery = request.DeliveryCount >= request.MaxDeliveryCount;
        var pending = devices.Where(d => !(ledger.TryGetValue(d.DeviceId, out var e) && e.Status.IsFinal())).ToList();
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
                    results[i] = await DeliverToDeviceAsync(evt, pending[i], previous, request, isLastDelivery, ct);
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
            var retryAfter = retry.Max(r => r.RetryAfter ?? TimeSpan.Zero);
            var delay = _backoff.Next(request.DeliveryCount, retryAfter);
            var reason = retry[0].Entry.Reason ?? "Transient";
            LogRetryScheduled(evt.TrackingId, retry.Count, reason, delay);
            return DeliveryVerdict.RetryLater(delay, reason);
        }

        var deadLettered = results.Where(r => r.Entry.Status == DeliveryStatus.DeadLettered).ToList();
        if (isLastDelivery && deadLettered.Any(r => r.ExhaustedRetries))
        {
            // Give the dead-letter record the provider's reason, so triage can tell an outage (replayable)
            // from a bad request.
            var reasons = string.Join(",", deadLettered.Select(r => r.Entry.Reason).Distinct());
            return DeliveryVerdict.DeadLetter("RetriesExhausted:" + deadLettered[0].Entry.Reason,
                $"{deadLettered.Count} device(s) still failing after {request.DeliveryCount} deliveries: {reasons}");
        }
        return DeliveryVerdict.Done;
    }

    private async Task<DeviceOutcome> DeliverToDeviceAsync(PushEvent evt, RegisteredDevice device, LedgerEntry? previous,
        DeliveryRequest request, bool isLastDelivery, CancellationToken cancellationToken)
    {
        var apnsId = previous?.ApnsId ?? Guid.NewGuid();
        var attempt = new Attempt(evt, device, previous, apnsId, _time.GetUtcNow());
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
                return await SendAsync(attempt, composed, request, isLastDelivery, cancellationToken);
        }
    }

    private async Task<DeviceOutcome> SendAsync(Attempt attempt, ComposedPush composed, DeliveryRequest request,
        bool isLastDelivery, CancellationToken cancellationToken)
    {
        var (provider, token) = composed switch
        {
            ComposedPush.Apns apns => ("apns", apns.Notification.DeviceToken),
            ComposedPush.Fcm fcm => ("fcm", fcm.Message.Token),
            _ => throw new InvalidOperationException("not a provider push: " + composed.GetType().Name),
        };
        var deviceHash = SecretHash.Of(attempt.Device.DeviceId);
        PushResult result;
        try
        {
            result = await _dispatcher.SendAsync(composed, cancellationToken);
        }
        catch (PushTransportException ex)
        {
            _metrics.PushFailed(provider, ex.Reason.ToString());
            LogTransportFailure(attempt.Event.TrackingId, deviceHash, provider, ex.Reason);
            return attempt.Transient(provider, ex.Reason.ToString(), retryAfter: null, isLastDelivery);
        }

        if (request.EnqueuedAt is { } enqueuedAt)
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
                return attempt.Transient(provider, rejected.Reason.ToString(), rejected.RetryAfter, isLastDelivery);

            case PushRejected rejected:
                _metrics.PushFailed(provider, rejected.Reason.ToString());
                _metrics.DeadLettered(rejected.Reason.ToString());
                LogPermanentRejection(attempt.Event.TrackingId, deviceHash, provider, rejected.Reason, rejected.HttpStatus);
                return attempt.Final(DeliveryStatus.DeadLettered, provider, rejected.Reason.ToString());

            default:
                throw new InvalidOperationException("unknown push result " + result.GetType().Name);
        }
    }

    /// <summary>One device's try: builds the ledger row for whatever the outcome turns out to be.</summary>
    private readonly record struct Attempt(PushEvent Event, RegisteredDevice Device, LedgerEntry? Previous, Guid ApnsId, DateTimeOffset At)
    {
        public DeviceOutcome Final(DeliveryStatus status, string? provider, string? reason, string? providerMessageId = null) =>
            new(Entry(status, provider, reason, providerMessageId), RetryAfter: null, ExhaustedRetries: false);

        public DeviceOutcome Transient(string provider, string reason, TimeSpan? retryAfter, bool isLastDelivery) =>
            isLastDelivery
                ? new(Entry(DeliveryStatus.DeadLettered, provider, reason, null), null, ExhaustedRetries: true)
                : new(Entry(DeliveryStatus.Pending, provider, reason, null), retryAfter, ExhaustedRetries: false);

        private LedgerEntry Entry(DeliveryStatus status, string? provider, string? reason, string? providerMessageId) => new(
            Event.TrackingId,
            Device.DeviceId,
            Event.Type,
            status,
            provider ?? Previous?.Provider,
            reason,
            provider == "apns" || Previous?.ApnsId is not null ? ApnsId : null,
            providerMessageId,
            (Previous?.Attempts ?? 0) + 1,
            Previous?.FirstAttemptAt ?? At,
            At);
    }

    private readonly record struct DeviceOutcome(LedgerEntry Entry, TimeSpan? RetryAfter, bool ExhaustedRetries);
}
