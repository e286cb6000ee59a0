using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
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
        var options = new DeliveryOptions { RetryBaseDelay = TimeSpan.FromSeconds(1), RetryMaxDelay = TimeSpan.FromSeconds(30) };
        _delivery = new EventDelivery(_registry, _ledger, _fixture.Composer, _dispatcher, new DeviceEventHandler(_registry), options,
            new RelayMetrics(_metricsServices.GetRequiredService<IMeterFactory>()), _callPriority, _fixture.Clock, NullLogger<EventDelivery>.Instance);
    }

    private TestDevice AddIphone(string id = "iphone-1")
    {
        var device = TestDevices.Ios(_fixture.Protector, id);
        _registry.Devices.Add(device.Device);
        return device;
    }

    private Task<DeliveryVerdict> DeliverAsync(PushEvent evt, long deliveryCount = 1, int maxDeliveryCount = 5, EventRoute? route = null) =>
        _delivery.DeliverAsync(new DeliveryRequest(PushEventWriter.Serialize(evt), "msg-1", deliveryCount, maxDeliveryCount, ComposerFixture.EventTime),
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
    public async Task A_transient_failure_on_the_last_delivery_is_dead_lettered_with_the_providers_reason()
    {
        AddIphone();
        _dispatcher.Answer(TestDevices.IosVoipToken, () => Rejected(PushFailureReason.InternalServerError, 500));
        var call = ComposerFixture.Call();

        var verdict = Assert.IsType<DeliveryVerdict.DeadLetterVerdict>(await DeliverAsync(call, deliveryCount: 5, maxDeliveryCount: 5));

        Assert.Equal("RetriesExhausted:InternalServerError", verdict.Reason);
        Assert.Equal(DeliveryStatus.DeadLettered, Assert.Single((await _ledger.GetAsync(call.TrackingId, default)).Values).Status);
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
        var verdict = await _delivery.DeliverAsync(new DeliveryRequest(Encoding.UTF8.GetBytes("{\"specversion\":"), "m", 1, 5, null),
            EventRoute.Calls, CancellationToken.None);

        var dead = Assert.IsType<DeliveryVerdict.DeadLetterVerdict>(verdict);
        Assert.Equal("InvalidEvent:MalformedJson", dead.Reason);
        Assert.Empty(_dispatcher.Sent);
    }

    [Fact]
    public async Task An_event_on_the_wrong_queue_is_dead_lettered()
    {
        AddIphone();
        var verdict = await DeliverAsync(ComposerFixture.Message(), route: EventRoute.Calls);
        var dead = Assert.IsType<DeliveryVerdict.DeadLetterVerdict>(verdict);
        Assert.Equal("InvalidEvent:WrongQueue", dead.Reason);
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
