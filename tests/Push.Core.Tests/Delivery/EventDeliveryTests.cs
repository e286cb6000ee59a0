using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Push.Core.DeadLetters;
using Push.Core.Delivery;
using Push.Core.Events;
using Push.Core.Ledger;
using Push.Core.Routing;
using Push.Core.Tests.Protection;
using Push.Core.Tests.Routing;
using Push.Providers.Apns;
using Push.Providers.Results;

namespace Push.Core.Tests.Delivery;

/// <summary>
/// The delivery pipeline's decisions, with the registry, ledger and providers as in-memory fakes: which
/// devices are pushed, what is recorded, and what the transport is told to do with the message.
/// </summary>
public sealed class EventDeliveryTests : IDisposable
{
    private readonly ComposerFixture _fixture = new();
    private readonly InMemoryRegistry _registry = new();
    private readonly InMemoryLedger _ledger = new();
    private readonly ScriptedDispatcher _dispatcher = new();
    private readonly CallPriority _callPriority = new();
    private readonly ServiceProvider _metricsServices = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly EventDelivery _delivery;

    public EventDeliveryTests()
    {
        _delivery = NewDelivery(_ledger);
    }

    /// <summary>A pipeline on this test's registry, providers and clock; a second one with its own ledger is a host after a crash.</summary>
    private EventDelivery NewDelivery(IDeliveryLedger ledger)
    {
        var options = new DeliveryOptions { RetryBaseDelay = TimeSpan.FromSeconds(1), RetryMaxDelay = TimeSpan.FromSeconds(30) };
        var metrics = new RelayMetrics(_metricsServices.GetRequiredService<IMeterFactory>());
        var holds = new ProviderHolds(_fixture.Clock, metrics, NullLogger<ProviderHolds>.Instance);
        return new EventDelivery(_registry, ledger, _fixture.Composer, _dispatcher, holds, new DeviceEventHandler(_registry), options,
            metrics, _callPriority, _fixture.Clock, NullLogger<EventDelivery>.Instance);
    }

    private TestDevice AddIphone(string id = "iphone-1")
    {
        var device = TestDevices.Ios(_fixture.Protector, id);
        _registry.Devices.Add(device.Device);
        return device;
    }

    private Task<DeliveryVerdict> DeliverAsync(PushEvent evt, long deliveryCount = 1, EventRoute? route = null) =>
        _delivery.DeliverAsync(new DeliveryRequest(PushEventWriter.Serialize(evt), "msg-1", deliveryCount, ComposerFixture.EventTime),
            route ?? (evt.Type == PushEventTypes.ImMessage ? EventRoute.Messages : EventRoute.Calls), CancellationToken.None);

    private static PushRejected Rejected(PushFailureReason reason, int status, TimeSpan? retryAfter = null) =>
        PushResult.Rejected(reason, status, reason.ToString(), retryAfter);

    [Fact]
    public async Task A_transient_failure_leaves_the_device_pending_and_asks_for_a_retry_no_sooner_than_retry_after()
    {
        AddIphone();
        _dispatcher.Answer(TestDevices.IosVoipToken, () => Rejected(PushFailureReason.TooManyRequests, 429, TimeSpan.FromSeconds(20)));
        var call = ComposerFixture.Call();

        var verdict = await DeliverAsync(call);

        var retry = Assert.IsType<DeliveryVerdict.RetryVerdict>(verdict);
        Assert.True(retry.Delay >= TimeSpan.FromSeconds(20), $"delay {retry.Delay}");
        var entry = Assert.Single((await _ledger.GetAsync(call.TrackingId, default)).Values);
        Assert.Equal(DeliveryStatus.Pending, entry.Status);
        Assert.Equal(nameof(PushFailureReason.TooManyRequests), entry.Reason);
    }

    [Fact]
    public async Task A_redelivered_event_reuses_the_apns_id_and_skips_devices_already_final()
    {
        AddIphone("iphone-1");
        var second = TestDevices.Ios(_fixture.Protector, "iphone-2");
        _registry.Devices.Add(second.Device with { VoipToken = new string('b', 64) });
        _dispatcher.Answer(TestDevices.IosVoipToken, () => Rejected(PushFailureReason.ServiceUnavailable, 503));
        var call = ComposerFixture.Call();

        Assert.IsType<DeliveryVerdict.RetryVerdict>(await DeliverAsync(call, deliveryCount: 1));
        var first = _dispatcher.Sent.Select(p => ((ComposedPush.Apns)p).Notification).ToList();
        Assert.Equal(2, first.Count);

        Assert.Same(DeliveryVerdict.Done, await DeliverAsync(call, deliveryCount: 2));
        var all = _dispatcher.Sent.Select(p => ((ComposedPush.Apns)p).Notification).ToList();
        var retried = Assert.Single(all.Skip(2));
        Assert.Equal(TestDevices.IosVoipToken, retried.DeviceToken); // the delivered device was not pushed again
        Assert.Equal(first.Single(n => n.DeviceToken == TestDevices.IosVoipToken).ApnsId, retried.ApnsId);
        var entries = await _ledger.GetAsync(call.TrackingId, default);
        Assert.All(entries.Values, e => Assert.Equal(DeliveryStatus.Delivered, e.Status));
        Assert.Equal(2, entries["iphone-1"].Attempts);
    }

    [Fact]
    public async Task Only_a_delivery_the_transport_vouches_is_the_first_skips_the_ledger_read()
    {
        AddIphone();
        var im = ComposerFixture.Message();
        var body = PushEventWriter.Serialize(im);

        Assert.Same(DeliveryVerdict.Done, await _delivery.DeliverAsync(
            new DeliveryRequest(body, "msg-1", 1, ComposerFixture.EventTime, FirstDelivery: true), EventRoute.Messages, CancellationToken.None));
        Assert.Equal(0, _ledger.Reads);
        Assert.Equal(DeliveryStatus.Delivered, Assert.Single((await _ledger.GetAsync(im.TrackingId, default)).Values).Status);

        // Dequeued once but not vouched for (a retry copy, a replay): the ledger is read, and the delivered phone is not pushed again.
        var reads = _ledger.Reads;
        Assert.Same(DeliveryVerdict.Done, await _delivery.DeliverAsync(
            new DeliveryRequest(body, "msg-2", 1, ComposerFixture.EventTime), EventRoute.Messages, CancellationToken.None));
        Assert.Equal(reads + 1, _ledger.Reads);
        Assert.Single(_dispatcher.Sent);
    }

    [Fact]
    public async Task A_redelivery_after_a_crash_that_lost_the_ledger_row_sends_the_same_apns_id()
    {
        AddIphone("iphone-1");
        var call = ComposerFixture.Call();

        // The first host pushes and dies before its ledger row is written: the redelivery finds no row at all.
        Assert.Same(DeliveryVerdict.Done, await DeliverAsync(call));
        var lostLedger = new InMemoryLedger();
        Assert.Same(DeliveryVerdict.Done, await NewDelivery(lostLedger).DeliverAsync(
            new DeliveryRequest(PushEventWriter.Serialize(call), "msg-1", 2, ComposerFixture.EventTime), EventRoute.Calls, CancellationToken.None));

        var pushes = _dispatcher.Sent.Select(p => ((ComposedPush.Apns)p).Notification).ToList();
        Assert.Equal(2, pushes.Count);
        Assert.Equal(pushes[0].ApnsId, pushes[1].ApnsId);
        Assert.Equal(pushes[1].ApnsId, (await lostLedger.GetAsync(call.TrackingId, default))["iphone-1"].ApnsId);
        Assert.Equal(ApnsIds.For(call.TrackingId, "iphone-1"), pushes[0].ApnsId);
    }

    [Fact]
    public async Task After_a_429_with_Retry_After_no_event_pushes_to_that_token_until_it_has_passed()
    {
        AddIphone();
        _dispatcher.Answer(TestDevices.IosVoipToken, () => Rejected(PushFailureReason.TooManyRequests, 429, TimeSpan.FromSeconds(5)));
        var first = ComposerFixture.Call();
        Assert.IsType<DeliveryVerdict.RetryVerdict>(await DeliverAsync(first));
        Assert.Single(_dispatcher.Sent);

        // Three more events for the same phone while the provider's 5 s run: none is sent, each comes back after the hold.
        var others = new[] { "track-2", "track-3", "track-4" }.Select(id => ComposerFixture.Event(first.Data, id)).ToList();
        foreach (var evt in others)
        {
            var retry = Assert.IsType<DeliveryVerdict.RetryVerdict>(await DeliverAsync(evt));
            Assert.True(retry.Delay >= TimeSpan.FromSeconds(5), $"{evt.TrackingId}: comes back after {retry.Delay}");
            var entry = Assert.Single((await _ledger.GetAsync(evt.TrackingId, default)).Values);
            Assert.Equal((DeliveryStatus.Pending, nameof(PushFailureReason.TooManyRequests)), (entry.Status, entry.Reason));
        }
        Assert.Single(_dispatcher.Sent);

        _fixture.Clock.Advance(TimeSpan.FromSeconds(4.9));
        var stillHeld = Assert.IsType<DeliveryVerdict.RetryVerdict>(await DeliverAsync(others[0], deliveryCount: 2));
        Assert.True(stillHeld.Delay >= TimeSpan.FromSeconds(0.1), $"comes back after {stillHeld.Delay}");
        Assert.Single(_dispatcher.Sent);

        _fixture.Clock.Advance(TimeSpan.FromSeconds(0.1));
        foreach (var evt in others.Prepend(first))
        {
            Assert.Same(DeliveryVerdict.Done, await DeliverAsync(evt, deliveryCount: 3));
        }
        Assert.Equal(5, _dispatcher.Sent.Count);
    }

    [Fact]
    public async Task An_events_devices_that_answer_together_are_recorded_in_one_ledger_write()
    {
        AddIphone("iphone-1");
        var second = TestDevices.Ios(_fixture.Protector, "iphone-2");
        _registry.Devices.Add(second.Device with { VoipToken = new string('b', 64) });
        var call = ComposerFixture.Call();

        Assert.Same(DeliveryVerdict.Done, await DeliverAsync(call));

        // One round trip for both rows (a Table transaction), not one per device.
        var write = Assert.Single(_ledger.Writes);
        Assert.Equal(["iphone-1", "iphone-2"], write.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_transient_failure_still_failing_when_the_retry_budget_is_spent_is_dead_lettered_with_the_providers_reason()
    {
        AddIphone();
        _dispatcher.Answer(TestDevices.IosPushToken, Enumerable.Repeat(() => Rejected(PushFailureReason.InternalServerError, 500), 100).ToArray());
        var im = ComposerFixture.Message();

        // However many deliveries the transport allows, retries go on while the budget (20 minutes) lasts ...
        var retries = 0;
        DeliveryVerdict verdict;
        while ((verdict = await DeliverAsync(im, deliveryCount: 1)) is DeliveryVerdict.RetryVerdict retry)
        {
            retries++;
            _fixture.Clock.Advance(retry.Delay);
        }

        // ... and then the event is dead-lettered with the provider's last reason.
        var dead = Assert.IsType<DeliveryVerdict.DeadLetterVerdict>(verdict);
        Assert.Equal("RetriesExhausted:InternalServerError", dead.Reason.ToString());
        Assert.True(retries >= 5, $"{retries} retries within the budget");
        var entry = Assert.Single((await _ledger.GetAsync(im.TrackingId, default)).Values);
        Assert.Equal(DeliveryStatus.DeadLettered, entry.Status);
        Assert.True(entry.LastAttemptAt - entry.FirstAttemptAt <= new DeliveryOptions().RetryBudget);
        Assert.True(entry.LastAttemptAt - entry.FirstAttemptAt >= new DeliveryOptions().RetryBudget / 2);
    }

    [Fact]
    public async Task A_replay_after_the_retry_budget_ran_out_pushes_the_device_again_with_a_new_budget()
    {
        AddIphone();
        _dispatcher.Answer(TestDevices.IosPushToken, Enumerable.Repeat(() => Rejected(PushFailureReason.ServiceUnavailable, 503), 100).ToArray());
        var im = ComposerFixture.Message();
        DeliveryVerdict verdict;
        while ((verdict = await DeliverAsync(im)) is DeliveryVerdict.RetryVerdict retry) _fixture.Clock.Advance(retry.Delay);
        Assert.IsType<DeliveryVerdict.DeadLetterVerdict>(verdict);
        var exhausted = Assert.Single((await _ledger.GetAsync(im.TrackingId, default)).Values);
        Assert.True(exhausted.RanOutOfRetries);

        // The outage goes on a little after the cool-down: the replay gets a budget of its own, not an instant dead letter ...
        _fixture.Clock.Advance(TimeSpan.FromMinutes(5));
        _dispatcher.Answer(TestDevices.IosPushToken, () => Rejected(PushFailureReason.ServiceUnavailable, 503));
        var sentBefore = _dispatcher.Sent.Count;
        var again = Assert.IsType<DeliveryVerdict.RetryVerdict>(await DeliverAsync(im));
        _fixture.Clock.Advance(again.Delay);

        // ... and once the provider answers, the device is delivered, with the apns-id it always had.
        Assert.Same(DeliveryVerdict.Done, await DeliverAsync(im));
        Assert.Equal(2, _dispatcher.Sent.Count - sentBefore);
        var entry = Assert.Single((await _ledger.GetAsync(im.TrackingId, default)).Values);
        Assert.Equal(DeliveryStatus.Delivered, entry.Status);
        Assert.Equal(exhausted.ApnsId, entry.ApnsId);
        Assert.Equal(exhausted.Attempts + 2, entry.Attempts);
        Assert.True(entry.FirstAttemptAt > exhausted.LastAttemptAt, "the replay's budget counts from the replay");
    }

    [Fact]
    public async Task A_replay_never_pushes_again_a_device_the_provider_rejected_for_good()
    {
        AddIphone();
        _dispatcher.Answer(TestDevices.IosPushToken, () => Rejected(PushFailureReason.TopicDisallowed, 400));
        var im = ComposerFixture.Message();
        Assert.Same(DeliveryVerdict.Done, await DeliverAsync(im));
        var rejected = Assert.Single((await _ledger.GetAsync(im.TrackingId, default)).Values);
        Assert.False(rejected.RanOutOfRetries);

        Assert.Same(DeliveryVerdict.Done, await DeliverAsync(im));

        Assert.Single(_dispatcher.Sent);
    }

    [Fact]
    public async Task A_ringing_call_is_retried_only_within_its_ring_time_and_then_expires_rather_than_ring_late()
    {
        AddIphone();
        _dispatcher.Answer(TestDevices.IosVoipToken, Enumerable.Repeat(() => Rejected(PushFailureReason.ServiceUnavailable, 503), 100).ToArray());
        var call = ComposerFixture.Call(ringSeconds: 20);

        DeliveryVerdict verdict;
        while ((verdict = await DeliverAsync(call)) is DeliveryVerdict.RetryVerdict retry)
        {
            Assert.True(_fixture.Clock.GetUtcNow() + retry.Delay < ComposerFixture.EventTime.AddSeconds(20), "a retry after the ring time");
            _fixture.Clock.Advance(retry.Delay);
        }

        Assert.Same(DeliveryVerdict.Done, verdict);
        var entry = Assert.Single((await _ledger.GetAsync(call.TrackingId, default)).Values);
        Assert.Equal(DeliveryStatus.Expired, entry.Status);
        Assert.StartsWith("RingTimeElapsed", entry.Reason, StringComparison.Ordinal);
        Assert.True(_fixture.Clock.GetUtcNow() < ComposerFixture.EventTime.AddSeconds(20));
    }

    [Fact]
    public async Task A_permanent_rejection_settles_at_once_without_a_retry()
    {
        AddIphone();
        _dispatcher.Answer(TestDevices.IosVoipToken, () => Rejected(PushFailureReason.TopicDisallowed, 400));
        var call = ComposerFixture.Call();

        Assert.Same(DeliveryVerdict.Done, await DeliverAsync(call));
        var entry = Assert.Single((await _ledger.GetAsync(call.TrackingId, default)).Values);
        Assert.Equal(DeliveryStatus.DeadLettered, entry.Status);
        Assert.Equal(nameof(PushFailureReason.TopicDisallowed), entry.Reason);
    }

    [Fact]
    public async Task A_410_removes_the_token_it_was_sent_to_with_apples_timestamp()
    {
        AddIphone();
        var invalidSince = ComposerFixture.EventTime.AddMinutes(-5);
        _dispatcher.Answer(TestDevices.IosVoipToken,
            () => PushResult.Rejected(PushFailureReason.Unregistered, 410, "Unregistered", tokenInvalidSince: invalidSince));
        var call = ComposerFixture.Call();

        Assert.Same(DeliveryVerdict.Done, await DeliverAsync(call));
        var removal = Assert.Single(_registry.Removals);
        Assert.Equal(TestDevices.IosVoipToken, removal.Token);
        Assert.Equal(invalidSince, removal.InvalidSince);
        Assert.Equal(DeliveryStatus.TokenRemoved, Assert.Single((await _ledger.GetAsync(call.TrackingId, default)).Values).Status);
    }

    [Fact]
    public async Task A_network_failure_is_retried()
    {
        AddIphone();
        _dispatcher.Answer(TestDevices.IosVoipToken,
            () => throw new PushTransportException(Providers.PushProvider.Apns, PushFailureReason.Timeout, "no answer"));
        var call = ComposerFixture.Call();

        Assert.IsType<DeliveryVerdict.RetryVerdict>(await DeliverAsync(call));
        Assert.Equal("Timeout", Assert.Single((await _ledger.GetAsync(call.TrackingId, default)).Values).Reason);
    }

    [Fact]
    public async Task Malformed_bytes_are_dead_lettered_with_the_problem_and_nothing_is_pushed()
    {
        AddIphone();
        var verdict = await _delivery.DeliverAsync(new DeliveryRequest(Encoding.UTF8.GetBytes("{\"specversion\":"), "m", 1, null),
            EventRoute.Calls, CancellationToken.None);

        var dead = Assert.IsType<DeliveryVerdict.DeadLetterVerdict>(verdict);
        Assert.Equal("InvalidEvent:MalformedJson", dead.Reason.ToString());
        Assert.Empty(_dispatcher.Sent);
    }

    [Fact]
    public async Task An_event_on_the_wrong_queue_is_dead_lettered()
    {
        AddIphone();
        var verdict = await DeliverAsync(ComposerFixture.Message(), route: EventRoute.Calls);
        var dead = Assert.IsType<DeliveryVerdict.DeadLetterVerdict>(verdict);
        Assert.Equal(DeadLetterReason.WrongQueue, dead.Reason);
        // The description has the form every refused event's has (docs/EVENTS.md): Code: field: problem.
        Assert.Equal("WrongQueue: type: push.im.message does not belong on the calls queue", dead.Description);
        Assert.Empty(_dispatcher.Sent);
    }

    [Fact]
    public async Task A_call_that_names_devices_rings_only_those()
    {
        AddIphone("iphone-1");
        var other = TestDevices.Ios(_fixture.Protector, "iphone-2");
        _registry.Devices.Add(other.Device with { VoipToken = new string('c', 64) });
        var call = ComposerFixture.Call(devices: ["iphone-2"]);

        Assert.Same(DeliveryVerdict.Done, await DeliverAsync(call));
        var sent = Assert.Single(_dispatcher.Sent);
        Assert.Equal(new string('c', 64), ((ComposedPush.Apns)sent).Notification.DeviceToken);
        Assert.Equal(["iphone-2"], (await _ledger.GetAsync(call.TrackingId, default)).Keys);
    }

    [Fact]
    public async Task A_call_naming_only_unregistered_devices_is_recorded_as_no_matching_devices_not_as_no_devices()
    {
        AddIphone("iphone-1");
        var call = ComposerFixture.Call(devices: ["no-such-phone"]);

        Assert.Same(DeliveryVerdict.Done, await DeliverAsync(call));

        Assert.Empty(_dispatcher.Sent);
        var entry = Assert.Single((await _ledger.GetAsync(call.TrackingId, default)).Values);
        Assert.Equal("_no-matching-devices", entry.DeviceId);
        Assert.Equal("NoMatchingDevices", entry.Reason);
    }

    [Fact]
    public async Task An_event_for_a_user_with_no_device_is_recorded_as_no_devices()
    {
        var call = ComposerFixture.Call(devices: ["no-such-phone"]);

        Assert.Same(DeliveryVerdict.Done, await DeliverAsync(call));

        var entry = Assert.Single((await _ledger.GetAsync(call.TrackingId, default)).Values);
        Assert.Equal("_no-devices", entry.DeviceId);
        Assert.Equal("NoDevices", entry.Reason);
    }

    [Fact]
    public async Task Counters_and_the_latency_histogram_are_recorded()
    {
        AddIphone();
        var measurements = new List<(string Instrument, double Value)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == RelayMetrics.MeterName) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((i, v, _, _) => { lock (measurements) measurements.Add((i.Name, v)); });
        listener.SetMeasurementEventCallback<double>((i, v, _, _) => { lock (measurements) measurements.Add((i.Name, v)); });
        listener.Start();

        await DeliverAsync(ComposerFixture.Call());

        Assert.Contains(measurements, m => m.Instrument == "push.events.received");
        Assert.Contains(measurements, m => m.Instrument == "push.pushes.sent");
        Assert.Contains(measurements, m => m.Instrument == "push.enqueue_to_provider_answer" && m.Value >= 0);
    }

    public void Dispose()
    {
        _fixture.Dispose();
        _metricsServices.Dispose();
    }
}
