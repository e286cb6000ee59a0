using Push.Core.Events;
using Push.Core.Ledger;
using Push.EndToEnd.Tests.Infrastructure;
using Push.Sandbox;

namespace Push.EndToEnd.Tests;

/// <summary>
/// A host killed (SIGKILL) mid-batch: the messages come back after their visibility lease and are
/// processed once more, and no device that already has a final outcome is pushed again.
/// Runs on its own Azurite, sandbox and host, since it kills the host. The restarted host reuses the
/// provider token the first one stored (the sandbox enforces Apple's 20-minute rule).
/// </summary>
public sealed class CrashRecoveryEndToEndTests : IAsyncLifetime
{
    private readonly RelayEnvironment _env = new();

    public Task InitializeAsync() => _env.InitializeAsync();

    public Task DisposeAsync() => _env.DisposeAsync();

    [Fact]
    public async Task A_host_killed_mid_batch_and_restarted_pushes_no_device_twice()
    {
        var producer = new PushEventWriter("/e2e");
        var users = Enumerable.Range(0, 6).Select(_ => TestDevice.NewUser()).ToList();
        var fast = new List<TestDevice>();
        var stuck = new List<TestDevice>();
        foreach (var user in users)
        {
            fast.Add(await _env.RegisterAsync(TestDevice.Android(user)));
            stuck.Add(await _env.RegisterAsync(TestDevice.IPhone(user)));
        }
        // APNs hangs for the iPhones: their pushes are in flight (never accepted) when the host dies;
        // the Android phones are delivered before that.
        foreach (var device in stuck)
        {
            _env.Sandbox.Faults.Add(new SandboxFault { Provider = SandboxProvider.Apns, DeviceToken = device.PushToken, Kind = SandboxFaultKind.Hang });
        }
        var events = new List<PushEvent>();
        foreach (var user in users)
        {
            events.Add(await _env.PublishAsync(producer.Create(user, new ImMessageData("c", "m", new ImSender(null, "a@b.c"), "hi", 1))));
        }
        await Eventually.TrueAsync(() => Task.FromResult(fast.All(d => _env.Sandbox.FcmMessages.Any(m => m.Token == d.PushToken))
                && stuck.All(d => _env.Sandbox.AllRequests.Any(r => r.DeviceToken == d.PushToken))),
            "Android deliveries and hanging APNs requests", TimeSpan.FromSeconds(30));
        // The promise is about what the ledger holds: a device recorded as delivered is never pushed again. Its row
        // is written at most Delivery:LedgerGroupCommitWindow after its answer, while its sibling still hangs.
        foreach (var (evt, device) in events.Zip(fast))
        {
            await _env.WaitForStatusAsync(evt.TrackingId, device.DeviceId, DeliveryStatus.Delivered);
        }

        await _env.RestartRelayAsync(kill: true);
        _env.Sandbox.Faults.Clear();

        foreach (var evt in events)
        {
            var outcomes = await _env.WaitForOutcomesAsync(evt.TrackingId, 2, TimeSpan.FromMinutes(2));
            Assert.All(outcomes.Values, e => Assert.Equal(DeliveryStatus.Delivered, e.Status));
        }
        foreach (var device in fast)
        {
            Assert.Single(_env.Sandbox.FcmMessages, m => m.Token == device.PushToken);
        }
        foreach (var device in stuck)
        {
            Assert.Single(_env.Sandbox.ApnsPushes, p => p.DeviceToken == device.PushToken);
        }
    }
}
