using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Push.Core.Delivery;
using Push.Core.Registry;
using Push.Core.Routing;
using Push.Providers.Apns;
using Push.Providers.Fcm;
using Push.Providers.Results;

namespace Push.Core.Tests.Delivery;

/// <summary>Retry-After per provider target, on a fake clock (issue 17, item 6).</summary>
public sealed class ProviderHoldsTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly ServiceProvider _metricsServices = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly ProviderHolds _holds;

    public ProviderHoldsTests() => _holds = NewHolds(ProviderHolds.DefaultMaxTokenHolds);

    private ProviderHolds NewHolds(int maxTokenHolds) =>
        new(_clock, new RelayMetrics(_metricsServices.GetRequiredService<IMeterFactory>()), NullLogger<ProviderHolds>.Instance, maxTokenHolds);

    private static ComposedPush Apns(char token, PushEnvironment environment = PushEnvironment.Production) =>
        new ComposedPush.Apns(new ApnsNotification(new string(token, 64), ApnsPushType.Voip, "com.example.voip", 10, null, null, Guid.Empty, new byte[] { 1 }), environment);

    private static ComposedPush Fcm(string token) =>
        new ComposedPush.Fcm(new FcmMessage(token, new Dictionary<string, string>(), FcmAndroidPriority.High, null, null));

    private static PushRejected Answer(int status, PushFailureReason reason, string? providerReason, double? retryAfterSeconds) =>
        PushResult.Rejected(reason, status, providerReason, retryAfterSeconds is { } s ? TimeSpan.FromSeconds(s) : null);

    private ProviderHold? Check(ComposedPush push) => _holds.Check(push, "track-1", "devhash");

    [Fact]
    public void An_apns_429_holds_that_token_until_retry_after_has_passed_and_no_other()
    {
        _holds.Observe(Apns('a'), Answer(429, PushFailureReason.TooManyRequests, "TooManyRequests", 5));

        var hold = Check(Apns('a'));
        Assert.Equal(new ProviderHold(HoldScope.Token, PushFailureReason.TooManyRequests, TimeSpan.FromSeconds(5)), hold);
        Assert.Null(Check(Apns('b')));
        Assert.Null(Check(Apns('a', PushEnvironment.Sandbox))); // the same token string on the other endpoint is another target

        _clock.Advance(TimeSpan.FromSeconds(4.999));
        Assert.Equal(TimeSpan.FromMilliseconds(1), Check(Apns('a'))!.Value.Remaining);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Null(Check(Apns('a')));
    }

    [Fact]
    public void A_503_with_retry_after_holds_every_token_of_that_endpoint_only()
    {
        _holds.Observe(Apns('a'), Answer(503, PushFailureReason.ServiceUnavailable, "ServiceUnavailable", 10));

        Assert.Equal(HoldScope.Provider, Check(Apns('b'))!.Value.Scope);
        Assert.Equal(PushFailureReason.ServiceUnavailable, Check(Apns('c'))!.Value.Reason);
        Assert.Null(Check(Apns('b', PushEnvironment.Sandbox)));
        Assert.Null(Check(Fcm("fcm-token")));

        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Null(Check(Apns('b')));
    }

    [Theory]
    [InlineData(429, PushFailureReason.TooManyRequests, "QUOTA_EXCEEDED", HoldScope.Token)]
    [InlineData(429, PushFailureReason.TooManyRequests, "RESOURCE_EXHAUSTED", HoldScope.Provider)]
    [InlineData(429, PushFailureReason.TooManyRequests, null, HoldScope.Provider)]
    [InlineData(503, PushFailureReason.ServiceUnavailable, "UNAVAILABLE", HoldScope.Provider)]
    public void Fcm_answers_hold_the_target_their_meaning_names(int status, PushFailureReason reason, string? providerReason, HoldScope scope)
    {
        _holds.Observe(Fcm("token-1"), Answer(status, reason, providerReason, 30));

        Assert.Equal(scope, Check(Fcm("token-1"))!.Value.Scope);
        Assert.Equal(scope == HoldScope.Provider, Check(Fcm("token-2")) is not null);
    }

    [Theory]
    [InlineData(429, PushFailureReason.TooManyRequests, "TooManyRequests", null)] // no Retry-After: the message's own back-off
    [InlineData(429, PushFailureReason.TooManyRequests, "TooManyRequests", 0.0)]
    [InlineData(500, PushFailureReason.InternalServerError, "InternalServerError", 5.0)] // Retry-After means nothing on a 500
    [InlineData(504, PushFailureReason.ServiceUnavailable, "DEADLINE_EXCEEDED", 5.0)]
    [InlineData(429, PushFailureReason.TooManyProviderTokenUpdates, "TooManyProviderTokenUpdates", 5.0)] // the token refresher's business
    [InlineData(410, PushFailureReason.Unregistered, "Unregistered", 5.0)]
    public void Other_answers_hold_nothing(int status, PushFailureReason reason, string providerReason, double? retryAfter)
    {
        _holds.Observe(Apns('a'), Answer(status, reason, providerReason, retryAfter));

        Assert.Null(Check(Apns('a')));
        Assert.Null(Check(Apns('b')));
    }

    [Fact]
    public void An_accepted_push_sets_no_hold_and_the_longer_of_two_holds_wins()
    {
        _holds.Observe(Apns('a'), PushResult.Accepted("id"));
        Assert.Null(Check(Apns('a')));

        _holds.Observe(Apns('a'), Answer(429, PushFailureReason.TooManyRequests, "TooManyRequests", 20));
        _holds.Observe(Apns('a'), Answer(429, PushFailureReason.TooManyRequests, "TooManyRequests", 5));
        Assert.Equal(TimeSpan.FromSeconds(20), Check(Apns('a'))!.Value.Remaining);

        // A provider hold that outlasts the token's decides what the push waits for.
        _holds.Observe(Apns('b'), Answer(503, PushFailureReason.ServiceUnavailable, "ServiceUnavailable", 60));
        Assert.Equal(new ProviderHold(HoldScope.Provider, PushFailureReason.ServiceUnavailable, TimeSpan.FromSeconds(60)), Check(Apns('a')));
    }

    [Fact]
    public void No_hold_outlasts_the_cap_whatever_the_header_says()
    {
        _holds.Observe(Apns('a'), Answer(503, PushFailureReason.ServiceUnavailable, "ServiceUnavailable", TimeSpan.FromDays(30).TotalSeconds));

        Assert.Equal(ProviderHolds.MaxHold, Check(Apns('b'))!.Value.Remaining);
    }

    [Fact]
    public void Token_holds_take_bounded_memory_and_expired_ones_are_dropped()
    {
        var holds = NewHolds(maxTokenHolds: 100);
        ComposedPush Token(int i) => Fcm("token-" + i);
        for (var i = 0; i < 100; i++) holds.Observe(Token(i), Answer(429, PushFailureReason.TooManyRequests, "QUOTA_EXCEEDED", 10));

        // Full of live holds: a new one is not recorded (that token's next push just meets FCM's 429 again).
        holds.Observe(Token(100), Answer(429, PushFailureReason.TooManyRequests, "QUOTA_EXCEEDED", 10));
        Assert.Equal(100, holds.TokenHoldCount);
        Assert.Null(holds.Check(Token(100), "t", "d"));

        // Once they have expired, a new hold sweeps them away instead of growing the table.
        _clock.Advance(TimeSpan.FromSeconds(10));
        holds.Observe(Token(101), Answer(429, PushFailureReason.TooManyRequests, "QUOTA_EXCEEDED", 10));
        Assert.Equal(1, holds.TokenHoldCount);
        Assert.NotNull(holds.Check(Token(101), "t", "d"));

        // And without a full table, at most a minute after they expired.
        for (var i = 0; i < 50; i++) holds.Observe(Token(i), Answer(429, PushFailureReason.TooManyRequests, "QUOTA_EXCEEDED", 1));
        _clock.Advance(TimeSpan.FromMinutes(1));
        holds.Observe(Token(200), Answer(429, PushFailureReason.TooManyRequests, "QUOTA_EXCEEDED", 10));
        Assert.Equal(1, holds.TokenHoldCount);
    }

    [Fact]
    public void A_held_push_is_counted_by_provider_and_scope()
    {
        var held = new List<(long Value, string? Provider, string? Scope)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == RelayMetrics.MeterName && instrument.Name == "push.pushes.held") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var all = tags.ToArray();
            held.Add((value, all.Single(t => t.Key == "provider").Value as string, all.Single(t => t.Key == "scope").Value as string));
        });
        listener.Start();

        _holds.Observe(Fcm("t"), Answer(429, PushFailureReason.TooManyRequests, "QUOTA_EXCEEDED", 5));
        _holds.Observe(Apns('a'), Answer(503, PushFailureReason.ServiceUnavailable, "ServiceUnavailable", 5));
        Check(Fcm("t"));
        Check(Apns('b'));

        Assert.Equal([(1L, "fcm", "token"), (1L, "apns", "provider")], held);
    }

    public void Dispose() => _metricsServices.Dispose();
}
