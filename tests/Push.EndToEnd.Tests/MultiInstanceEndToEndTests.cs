using System.Diagnostics;
using Push.Core.Events;
using Push.Core.Ledger;
using Push.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Push.EndToEnd.Tests;

/// <summary>
/// Three host processes against one Azurite and one sandbox, as an operator scales out: they share
/// the events with no device pushed twice, they share one APNs provider token, and the token timer runs
/// on one of them at a time and moves to another when its holder is killed.
/// </summary>
public sealed class MultiInstanceEndToEndTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string LeaseAcquired = "RefreshProviderTokens: this instance acquired the lease";
    private readonly RelayEnvironment _env = new();
    private readonly List<RelayProcess> _extra = [];

    public async Task InitializeAsync()
    {
        await _env.InitializeAsync();
        _extra.Add(await _env.StartRelayAsync());
        _extra.Add(await _env.StartRelayAsync());
    }

    public async Task DisposeAsync()
    {
        foreach (var relay in _extra) await relay.DisposeAsync();
        await _env.DisposeAsync();
    }

    private IEnumerable<RelayProcess> All => _extra.Prepend(_env.Relay!);

    [Fact]
    public async Task Three_instances_share_events_and_one_provider_token_and_hand_the_timer_over_when_killed()
    {
        var producer = new PushEventWriter("/e2e");
        var users = new List<(TestDevice Iphone, TestDevice Android)>();
        for (var i = 0; i < 8; i++)
        {
            var user = TestDevice.NewUser();
            users.Add((await _env.RegisterAsync(TestDevice.IPhone(user)), await _env.RegisterAsync(TestDevice.Android(user))));
        }
        var events = new List<PushEvent>();
        foreach (var (iphone, _) in users)
        {
            for (var n = 0; n < 3; n++)
            {
                events.Add(await _env.PublishAsync(producer.Create(iphone.UserId, new ImMessageData("c", "m" + n, new ImSender(null, "a@b.c"), "hi", n + 1))));
            }
        }
        foreach (var evt in events)
        {
            var outcomes = await _env.WaitForOutcomesAsync(evt.TrackingId, 2, TimeSpan.FromSeconds(60));
            Assert.All(outcomes.Values, e => Assert.Equal(DeliveryStatus.Delivered, e.Status));
        }

        // Every event reached each device exactly once, whichever instance took it. A second push would come from a
        // provider call that timed out or a message whose lease lapsed: the instances' lines about either say which.
        string WhyTwice() => string.Join('\n', All.SelectMany(r => r.Output.Split('\n')).Where(line =>
            line.Contains("got no answer", StringComparison.Ordinal)
            || line.Contains("Renewing the visibility", StringComparison.Ordinal)
            || line.Contains("reappears when its visibility lease ends", StringComparison.Ordinal)));
        foreach (var (iphone, android) in users)
        {
            var apns = _env.Sandbox.ApnsPushes.Count(p => p.DeviceToken == iphone.PushToken);
            Assert.True(apns == 3, $"{apns} APNs pushes to one iPhone, not 3; the instances said:\n{WhyTwice()}");
            var fcm = _env.Sandbox.FcmMessages.Count(m => m.Token == android.PushToken);
            Assert.True(fcm == 3, $"{fcm} FCM messages to one Android phone, not 3; the instances said:\n{WhyTwice()}");
        }
        var busy = All.Count(r => r.Output.Contains("Executed 'Functions.DeliverMessage' (Succeeded", StringComparison.Ordinal));
        output.WriteLine($"{events.Count} events x 2 devices delivered once each; {busy} of 3 instances delivered some");
        // One provider token for the team across the three instances, and no 429 TooManyProviderTokenUpdates.
        Assert.Single(_env.Sandbox.ProviderTokensSeen);
        Assert.DoesNotContain(_env.Sandbox.AllRequests, r => r.Reason == "TooManyProviderTokenUpdates");

        // The token timer runs on exactly one instance; kill it, and another takes the lease.
        var holders = All.Where(r => r.Output.Contains(LeaseAcquired, StringComparison.Ordinal)).ToList();
        var holder = Assert.Single(holders);
        holder.Kill();
        var clock = Stopwatch.StartNew();
        var survivors = All.Where(r => r != holder).ToList();
        await Eventually.TrueAsync(() => Task.FromResult(survivors.Any(r => r.Output.Contains(LeaseAcquired, StringComparison.Ordinal))),
            "another instance to take the timer's lease", TimeSpan.FromSeconds(60));
        output.WriteLine($"timer lease handed over {clock.Elapsed.TotalSeconds:F1} s after the holder was killed (lease period 15 s)");
    }
}
