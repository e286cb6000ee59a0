using Push.Core.Events;
using Push.Core.Ledger;
using Push.Sandbox;

namespace Push.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A batch caught in flight, for crash tests: each user has an Android phone, delivered and recorded in the ledger, and
/// an iPhone whose APNs push hangs (never accepted), so the relay holds every message unsettled when the test strikes.
/// </summary>
public sealed record MidBatch(IReadOnlyList<TestDevice> Delivered, IReadOnlyList<TestDevice> Hanging, IReadOnlyList<PushEvent> Events)
{
    public static async Task<MidBatch> StartAsync(RelayEnvironment env, int users)
    {
        var delivered = new List<TestDevice>();
        var hanging = new List<TestDevice>();
        foreach (var user in Enumerable.Range(0, users).Select(_ => TestDevice.NewUser()))
        {
            delivered.Add(await env.RegisterAsync(TestDevice.Android(user)));
            hanging.Add(await env.RegisterAsync(TestDevice.IPhone(user)));
        }
        foreach (var device in hanging)
        {
            env.Sandbox.Faults.Add(new SandboxFault { Provider = SandboxProvider.Apns, DeviceToken = device.PushToken, Kind = SandboxFaultKind.Hang });
        }
        var producer = new PushEventWriter("/e2e");
        var events = new List<PushEvent>();
        foreach (var device in delivered)
        {
            events.Add(await env.PublishAsync(producer.Create(device.UserId, new ImMessageData("c", "m", new ImSender(null, "a@b.c"), "hi", 1))));
        }
        await Eventually.TrueAsync(() => hanging.All(d => env.Sandbox.AllRequests.Any(r => r.DeviceToken == d.PushToken && r.Fault == SandboxFaultKind.Hang)),
            "the iPhone pushes hanging", TimeSpan.FromSeconds(30));
        // The promise is about what the ledger holds: a device recorded as delivered is never pushed again. Its row is
        // written at most Delivery:LedgerGroupCommitWindow after its answer, while its sibling still hangs.
        foreach (var (evt, device) in events.Zip(delivered)) await env.WaitForStatusAsync(evt.TrackingId, device.DeviceId, DeliveryStatus.Delivered);
        return new MidBatch(delivered, hanging, events);
    }

    /// <summary>Once the relay recovered: every device delivered, and each pushed exactly once (the hung pushes never counted).</summary>
    public async Task AssertEveryDevicePushedOnceAsync(RelayEnvironment env, TimeSpan timeout)
    {
        foreach (var evt in Events)
        {
            var outcomes = await env.WaitForOutcomesAsync(evt.TrackingId, 2, timeout);
            Assert.All(outcomes.Values, e => Assert.Equal(DeliveryStatus.Delivered, e.Status));
        }
        foreach (var device in Delivered) Assert.Single(env.Sandbox.FcmMessages, m => m.Token == device.PushToken);
        foreach (var device in Hanging) Assert.Single(env.Sandbox.ApnsPushes, p => p.DeviceToken == device.PushToken);
    }
}
