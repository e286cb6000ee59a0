using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Push.Core.Delivery;
using Push.Core.Events;
using Push.Core.Registry;
using Push.Core.Routing;
using Push.Core.Tests.Protection;
using Push.Core.Tests.Routing;
using Push.Providers.Results;

namespace Push.Core.Tests.Delivery;

/// <summary>Calls go first: a message does not start while a call is in flight, but never waits past the limit.</summary>
public sealed class CallPriorityTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(1);
    private readonly CallPriority _priority = new();
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public async Task A_message_does_not_wait_when_no_call_is_in_flight()
    {
        Assert.False(await _priority.YieldToCallsAsync(Limit, _clock, CancellationToken.None));
    }

    [Fact]
    public async Task A_message_starts_when_the_last_call_in_flight_ends()
    {
        var first = _priority.EnterCall();
        var second = _priority.EnterCall();
        var waiting = _priority.YieldToCallsAsync(Limit, _clock, CancellationToken.None);

        first.Dispose();
        // A release completes the shared signal inside Dispose, so a fresh wait would finish at once if it had
        // been released: that it does not shows, without sleeping, that one call in flight still holds messages back.
        Assert.False(_priority.YieldToCallsAsync(Limit, _clock, CancellationToken.None).IsCompleted, "one call is still in flight");
        Assert.False(waiting.IsCompleted);
        second.Dispose();

        Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, _priority.CallsInFlight);
    }

    [Fact]
    public async Task A_stream_of_calls_holds_a_message_back_no_longer_than_the_limit()
    {
        using var call = _priority.EnterCall();
        var waiting = _priority.YieldToCallsAsync(Limit, _clock, CancellationToken.None);

        // The fake clock runs due timers inside Advance, and the wait's timeout completes the wait there: had the
        // limit fired early, the task would be complete when Advance returns.
        _clock.Advance(Limit - TimeSpan.FromMilliseconds(1));
        Assert.False(waiting.IsCompleted);
        _clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, _priority.CallsInFlight);
    }

    [Fact]
    public async Task An_instant_message_received_while_a_call_is_being_pushed_is_sent_after_the_call()
    {
        using var fixture = new ComposerFixture();
        var registry = new InMemoryRegistry();
        var iphone = TestDevices.Ios(fixture.Protector, "iphone-1");
        registry.Devices.Add(iphone.Device);
        var dispatcher = new HeldCallDispatcher(_priority);
        using var metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var relayMetrics = new RelayMetrics(metrics.GetRequiredService<IMeterFactory>());
        var delivery = new EventDelivery(registry, new InMemoryLedger(), fixture.Composer, dispatcher,
            new ProviderHolds(TimeProvider.System, relayMetrics, NullLogger<ProviderHolds>.Instance), new DeviceEventHandler(registry),
            new DeliveryOptions { MessageYieldLimit = TimeSpan.FromSeconds(30) }, relayMetrics, _priority, TimeProvider.System, NullLogger<EventDelivery>.Instance);
        Task<DeliveryVerdict> Deliver(PushEvent evt, EventRoute route) =>
            delivery.DeliverAsync(new DeliveryRequest(PushEventWriter.Serialize(evt), evt.TrackingId, 1, ComposerFixture.EventTime), route, CancellationToken.None);

        var call = Deliver(ComposerFixture.Call(), EventRoute.Calls);
        await dispatcher.CallSent.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var message = Deliver(ComposerFixture.Event(ComposerFixture.Message().Data, trackingId: "track-im"), EventRoute.Messages);
        // A message's delivery asks for the calls' signal before anything else, so it is parked by the time it returns.
        Assert.False(message.IsCompleted);
        Assert.Equal(1, dispatcher.Sent);

        dispatcher.ReleaseCall.SetResult();
        Assert.Same(DeliveryVerdict.Done, await call.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Same(DeliveryVerdict.Done, await message.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(2, dispatcher.Sent);
        Assert.Equal(0, dispatcher.CallsInFlightWhenTheMessageWasSent);
    }

    /// <summary>Holds the VoIP push open until released; answers everything else at once.</summary>
    private sealed class HeldCallDispatcher(CallPriority priority) : IPushDispatcher
    {
        private int _sent;

        /// <summary>The calls the instance was delivering when the instant message reached the provider.</summary>
        public int? CallsInFlightWhenTheMessageWasSent { get; private set; }

        public TaskCompletionSource CallSent { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource ReleaseCall { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Sent => Volatile.Read(ref _sent);

        public async Task<PushResult> SendAsync(ComposedPush push, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _sent);
            if (push is ComposedPush.Apns { Notification.PushType: Push.Providers.Apns.ApnsPushType.Voip })
            {
                CallSent.TrySetResult();
                await ReleaseCall.Task.WaitAsync(cancellationToken);
            }
            else
            {
                CallsInFlightWhenTheMessageWasSent = priority.CallsInFlight;
            }
            return PushResult.Accepted(Guid.NewGuid().ToString());
        }
    }
}
