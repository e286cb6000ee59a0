using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Push.Core.Registry;
using Push.Core.Routing;
using Push.Core.Storage;
using Push.Providers.Results;

namespace Push.Core.Delivery;

/// <summary>
/// A provider's <c>Retry-After</c>, honoured for its target across every event in flight on this instance, not
/// only for the message that got it: after a throttling answer for a device token no push goes to that token,
/// and after an outage answer for a provider endpoint no push goes to that endpoint, until the time has passed.
/// <see cref="EventDelivery"/> asks before each send; a held push is not sent and counts as a transient failure
/// whose retry-after is what remains of the hold, so its message comes back after it.
/// </summary>
/// <remarks>
/// <para>Which target an answer holds (only when it carries a Retry-After):</para>
/// <list type="table">
/// <item><term>APNs 429 <c>TooManyRequests</c></term><description>the device token: Apple's reason is "too many
/// requests were made consecutively to the same device token".</description></item>
/// <item><term>FCM 429 <c>QUOTA_EXCEEDED</c></term><description>the device token. FCM uses it for the device's,
/// the topic's and the project's quota alike; holding the token is the narrow reading, so one busy phone cannot
/// silence every Android device (a project-wide limit still holds each token as it answers).</description></item>
/// <item><term>another 429 (FCM <c>RESOURCE_EXHAUSTED</c> or a bare 429)</term><description>the provider endpoint:
/// nothing names a device, so the limit is the sender's.</description></item>
/// <item><term>503 (APNs <c>ServiceUnavailable</c> / <c>Shutdown</c>, FCM <c>UNAVAILABLE</c>)</term><description>the
/// provider endpoint. APNs production and development are separate endpoints.</description></item>
/// <item><term>anything else</term><description>no hold: RFC 9110 gives Retry-After a meaning for 503 and 429
/// only, and APNs <c>TooManyProviderTokenUpdates</c> is about provider tokens, which the refresher paces.</description></item>
/// </list>
/// <para>
/// Memory is bounded: expired holds are dropped as they are met and swept at most once a minute, at most
/// <see cref="DefaultMaxTokenHolds"/> token holds are kept (a new one is not recorded while the table is full
/// of live ones: that token's next push meets the provider's 429 again), and no hold lasts longer than
/// <see cref="MaxHold"/> whatever the header says.
/// </para>
/// </remarks>
public sealed partial class ProviderHolds
{
    public const int DefaultMaxTokenHolds = 10_000;

    /// <summary>The longest hold a Retry-After can set: a broken header must not silence a provider for days.</summary>
    public static readonly TimeSpan MaxHold = TimeSpan.FromHours(1);

    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, Held> _endpointHolds = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Endpoint, string Token), Held> _tokenHolds = new();
    private readonly TimeProvider _time;
    private readonly RelayMetrics _metrics;
    private readonly ILogger<ProviderHolds> _logger;
    private readonly int _maxTokenHolds;
    private long _lastSweepTicks;

    public ProviderHolds(TimeProvider time, RelayMetrics metrics, ILogger<ProviderHolds> logger)
        : this(time, metrics, logger, DefaultMaxTokenHolds)
    {
    }

    internal ProviderHolds(TimeProvider time, RelayMetrics metrics, ILogger<ProviderHolds> logger, int maxTokenHolds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokenHolds, 1);
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _maxTokenHolds = maxTokenHolds;
        _lastSweepTicks = time.GetUtcNow().UtcTicks;
    }

    /// <summary>The token holds kept now (live, or expired and not yet swept).</summary>
    internal int TokenHoldCount => _tokenHolds.Count;

    /// <summary>The hold <paramref name="push"/> is under now, or null to send it. Counts and logs a held push.</summary>
    public ProviderHold? Check(ComposedPush push, string trackingId, string deviceHash)
    {
        if (Target.Of(push) is not { } target)
        {
            return null;
        }
        var now = _time.GetUtcNow();
        var endpoint = Live(_endpointHolds, target.Endpoint, now);
        var token = Live(_tokenHolds, (target.Endpoint, target.Token), now);
        if (endpoint is null && token is null)
        {
            return null;
        }
        var hold = token is null || (endpoint is { } e && e.Until >= token.Value.Until)
            ? new ProviderHold(HoldScope.Provider, endpoint!.Value.Reason, endpoint.Value.Until - now)
            : new ProviderHold(HoldScope.Token, token.Value.Reason, token.Value.Until - now);
        _metrics.PushHeld(target.Provider, hold.ScopeName);
        LogHeld(trackingId, deviceHash, target.Provider, hold.ScopeName, SecretHash.Of(target.Token), hold.Remaining);
        return hold;
    }

    /// <summary>Records the hold the provider's answer to <paramref name="push"/> asks for, if any.</summary>
    public void Observe(ComposedPush push, PushResult result)
    {
        if (result is not PushRejected { RetryAfter: { } retryAfter } rejected || retryAfter <= TimeSpan.Zero
            || ScopeOf(rejected) is not { } scope || Target.Of(push) is not { } target)
        {
            return;
        }
        var now = _time.GetUtcNow();
        var held = new Held(now + (retryAfter < MaxHold ? retryAfter : MaxHold), rejected.Reason);
        var tokenHash = SecretHash.Of(target.Token);
        if (scope == HoldScope.Provider)
        {
            _endpointHolds.AddOrUpdate(target.Endpoint, held, (_, current) => Held.Later(current, held));
            LogHoldStarted(target.Provider, target.Endpoint, "provider", tokenHash, rejected.Reason, held.Until - now);
            return;
        }

        SweepIfDue(now);
        var key = (target.Endpoint, target.Token);
        if (_tokenHolds.Count >= _maxTokenHolds && !_tokenHolds.ContainsKey(key))
        {
            Sweep(now);
            if (_tokenHolds.Count >= _maxTokenHolds)
            {
                LogHoldTableFull(target.Provider, tokenHash, _maxTokenHolds);
                return;
            }
        }
        _tokenHolds.AddOrUpdate(key, held, (_, current) => Held.Later(current, held));
        LogHoldStarted(target.Provider, target.Endpoint, "token", tokenHash, rejected.Reason, held.Until - now);
    }

    /// <summary>Which target a rejection holds (see the remarks), or null for none.</summary>
    public static HoldScope? ScopeOf(PushRejected rejected) => rejected switch
    {
        { HttpStatus: 429, Reason: PushFailureReason.TooManyRequests, ProviderReason: "TooManyRequests" or "QUOTA_EXCEEDED" } => HoldScope.Token,
        { HttpStatus: 429, Reason: PushFailureReason.TooManyRequests } => HoldScope.Provider,
        { HttpStatus: 503 } => HoldScope.Provider,
        _ => null,
    };

    private static Held? Live<TKey>(ConcurrentDictionary<TKey, Held> holds, TKey key, DateTimeOffset now)
        where TKey : notnull
    {
        if (!holds.TryGetValue(key, out var held))
        {
            return null;
        }
        if (held.Until <= now)
        {
            // Removes only this value: a newer hold written meanwhile stays.
            holds.TryRemove(new KeyValuePair<TKey, Held>(key, held));
            return null;
        }
        return held;
    }

    private void SweepIfDue(DateTimeOffset now)
    {
        var last = Interlocked.Read(ref _lastSweepTicks);
        if (now.UtcTicks - last >= SweepInterval.Ticks && Interlocked.CompareExchange(ref _lastSweepTicks, now.UtcTicks, last) == last)
        {
            Sweep(now);
        }
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (var entry in _tokenHolds)
        {
            if (entry.Value.Until <= now)
            {
                _tokenHolds.TryRemove(entry);
            }
        }
    }

    private readonly record struct Held(DateTimeOffset Until, PushFailureReason Reason)
    {
        public static Held Later(Held a, Held b) => b.Until > a.Until ? b : a;
    }

    /// <param name="Endpoint">The provider endpoint: APNs production and development are two.</param>
    private readonly record struct Target(string Provider, string Endpoint, string Token)
    {
        public static Target? Of(ComposedPush push) => push switch
        {
            ComposedPush.Apns apns => new Target("apns",
                apns.Environment == PushEnvironment.Production ? "apns-production" : "apns-development", apns.Notification.DeviceToken),
            ComposedPush.Fcm fcm => new Target("fcm", "fcm", fcm.Message.Token),
            _ => null,
        };
    }
}
