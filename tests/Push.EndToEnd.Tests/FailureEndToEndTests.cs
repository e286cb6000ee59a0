using System.Text;
using Push.Core.Events;
using Push.Core.Ledger;
using Push.EndToEnd.Tests.Infrastructure;
using Push.Sandbox;

namespace Push.EndToEnd.Tests;

/// <summary>
/// Provider failures: every event × device still ends in exactly one outcome. Run over both transports
/// (subclasses at the end); the poison-queue checks are the Storage transport's own (below).
/// </summary>
public abstract class ProviderFailureScenarios(RelayEnvironment env)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(45);

    private static PushEventWriter Producer => new("/e2e");

    [Fact]
    public async Task Unregistered_410_removes_the_token_from_the_registry()
    {
        var user = TestDevice.NewUser();
        var iphone = await env.RegisterAsync(TestDevice.IPhone(user));
        env.Sandbox.Faults.Add(new SandboxFault
        {
            Provider = SandboxProvider.Apns, DeviceToken = iphone.PushToken, Kind = SandboxFaultKind.Reject, Reason = "Unregistered",
            Timestamp = DateTimeOffset.UtcNow.AddSeconds(5),
        });
        var im = await env.PublishAsync(Producer.Create(user, new ImMessageData("c", "m", new ImSender(null, "a@b.c"), "hi", 1)));

        var outcome = Assert.Single((await env.WaitForOutcomesAsync(im.TrackingId, 1, Wait)).Values);
        Assert.Equal(DeliveryStatus.TokenRemoved, outcome.Status);
        var device = Assert.Single(await env.Registry.ListAsync(user, default));
        Assert.Null(device.PushTokenHash);   // the alert token is gone ...
        Assert.NotNull(device.VoipTokenHash); // ... the VoIP token was not the one APNs refused.
    }

    [Fact]
    public async Task A_410_for_the_voip_token_keeps_the_device_and_later_calls_arrive_as_alerts()
    {
        var user = TestDevice.NewUser();
        var iphone = await env.RegisterAsync(TestDevice.IPhone(user));
        env.Sandbox.Faults.Add(new SandboxFault
        {
            Provider = SandboxProvider.Apns, DeviceToken = iphone.VoipToken, Kind = SandboxFaultKind.Reject, Reason = "Unregistered",
            Timestamp = DateTimeOffset.UtcNow.AddSeconds(5),
        });
        var first = await env.PublishAsync(Producer.Create(user, new CallIncomingData("call-410", new Party(null, "+1555"), "audio", 60)));

        Assert.Equal(DeliveryStatus.TokenRemoved, Assert.Single((await env.WaitForOutcomesAsync(first.TrackingId, 1, Wait)).Values).Status);
        var device = Assert.Single(await env.Registry.ListAsync(user, default));
        Assert.Null(device.VoipTokenHash);      // the VoIP token APNs refused is gone ...
        Assert.NotNull(device.PushTokenHash);   // ... the device keeps its alert token.

        // As for a device registered without a VoIP token: the next call rings as an alert.
        var second = await env.PublishAsync(Producer.Create(user, new CallIncomingData("call-after-410", new Party(null, "+1555"), "audio", 60)));
        Assert.Equal(DeliveryStatus.Delivered, Assert.Single((await env.WaitForOutcomesAsync(second.TrackingId, 1, Wait)).Values).Status);
        var alert = Assert.Single(env.Sandbox.ApnsPushes, p => p.DeviceToken == iphone.PushToken);
        Assert.Equal("alert", alert.PushType);
        Assert.Equal(RelayEnvironment.BundleId, alert.Topic);
    }

    [Fact]
    public async Task A_token_registered_after_the_410_timestamp_survives()
    {
        var user = TestDevice.NewUser();
        var iphone = await env.RegisterAsync(TestDevice.IPhone(user));
        // APNs says the token went invalid an hour ago; the device registered (again) since then.
        env.Sandbox.Faults.Add(new SandboxFault
        {
            Provider = SandboxProvider.Apns, DeviceToken = iphone.PushToken, Kind = SandboxFaultKind.Reject, Reason = "Unregistered",
            Timestamp = DateTimeOffset.UtcNow.AddHours(-1), Times = 1,
        });
        var im = await env.PublishAsync(Producer.Create(user, new ImMessageData("c", "m", new ImSender(null, "a@b.c"), "hi", 1)));

        var outcome = Assert.Single((await env.WaitForOutcomesAsync(im.TrackingId, 1, Wait)).Values);
        Assert.Equal(DeliveryStatus.TokenRemoved, outcome.Status);
        Assert.Contains("KeptReRegistered", outcome.Reason, StringComparison.Ordinal);
        var device = Assert.Single(await env.Registry.ListAsync(user, default));
        Assert.NotNull(device.PushTokenHash);
    }

    [Fact]
    public async Task Fcm_unregistered_removes_the_android_device()
    {
        var user = TestDevice.NewUser();
        var android = await env.RegisterAsync(TestDevice.Android(user));
        env.Sandbox.Faults.Add(new SandboxFault
        {
            Provider = SandboxProvider.Fcm, DeviceToken = android.PushToken, Kind = SandboxFaultKind.Reject, Reason = "UNREGISTERED",
        });
        var im = await env.PublishAsync(Producer.Create(user, new ImMessageData("c", "m", new ImSender(null, "a@b.c"), "hi", 1)));

        Assert.Equal(DeliveryStatus.TokenRemoved, Assert.Single((await env.WaitForOutcomesAsync(im.TrackingId, 1, Wait)).Values).Status);
        Assert.Empty(await env.Registry.ListAsync(user, default));
    }

    [Fact]
    public async Task ServiceUnavailable_then_success_delivers_once_with_the_same_apns_id()
    {
        var user = TestDevice.NewUser();
        var iphone = await env.RegisterAsync(TestDevice.IPhone(user));
        env.Sandbox.Faults.Add(new SandboxFault
        {
            Provider = SandboxProvider.Apns, DeviceToken = iphone.VoipToken, Kind = SandboxFaultKind.Reject, Reason = "ServiceUnavailable", Times = 1,
        });
        var call = await env.PublishAsync(Producer.Create(user, new CallIncomingData("call-503", new Party(null, "+1555"), "audio", 60)));

        var outcome = Assert.Single((await env.WaitForOutcomesAsync(call.TrackingId, 1, Wait)).Values);
        Assert.Equal(DeliveryStatus.Delivered, outcome.Status);
        Assert.Equal(2, outcome.Attempts);
        var accepted = Assert.Single(env.Sandbox.ApnsPushes, p => p.DeviceToken == iphone.VoipToken);
        var attempts = env.Sandbox.AllRequests.Where(r => r.DeviceToken == iphone.VoipToken).ToList();
        Assert.Equal(2, attempts.Count);
        Assert.Equal(503, attempts[0].Status);
        Assert.All(attempts, a => Assert.Equal(accepted.ApnsId, a.RequestApnsId, ignoreCase: true));
        Assert.Equal(outcome.ApnsId!.Value.ToString(), accepted.ApnsId, ignoreCase: true);
    }
}

/// <summary>Bad events and exhausted retries end in the Storage transport's poison queue with their reason.</summary>
[Collection(RelayCollection.Name)]
public sealed class DeadLetterEndToEndTests(RelayEnvironment env)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(45);

    private static PushEventWriter Producer => new("/e2e");

    [Fact]
    public async Task A_provider_failing_every_time_dead_letters_the_event_with_its_reason_once_the_retry_budget_is_spent()
    {
        var user = TestDevice.NewUser();
        var iphone = await env.RegisterAsync(TestDevice.IPhone(user));
        env.Sandbox.Faults.Add(new SandboxFault
        {
            Provider = SandboxProvider.Apns, DeviceToken = iphone.VoipToken, Kind = SandboxFaultKind.Reject, Reason = "InternalServerError",
        });
        var call = await env.PublishAsync(Producer.Create(user, new CallIncomingData("call-500", new Party(null, "+1555"), "audio", 120)));

        var record = await PoisonQueue.WaitForAsync(env, "push-calls", call.TrackingId, Wait);
        Assert.Equal("RetriesExhausted:InternalServerError", record.Reason.ToString());
        var outcome = Assert.Single((await env.Ledger.GetAsync(call.TrackingId, default)).Values);
        Assert.Equal(DeliveryStatus.DeadLettered, outcome.Status);
        // Retried while the budget (Delivery__RetryBudget, 4 s here) lasted, whatever maxDequeueCount allows.
        Assert.True(outcome.Attempts >= 2, $"{outcome.Attempts} attempts");
        Assert.True(outcome.LastAttemptAt - outcome.FirstAttemptAt <= TimeSpan.FromSeconds(4));
        Assert.Equal(outcome.Attempts, env.Sandbox.AllRequests.Count(r => r.DeviceToken == iphone.VoipToken));
    }

    [Fact]
    public async Task A_malformed_event_is_dead_lettered_at_once_with_a_reason_naming_the_field()
    {
        var user = TestDevice.NewUser();
        var valid = Producer.Create(user, new CallIncomingData("call-x", new Party("Dave", "15550004444"), "audio"));
        var json = Encoding.UTF8.GetString(PushEventWriter.Serialize(valid)).Replace("\"number\":\"15550004444\"", "\"number\":42", StringComparison.Ordinal);
        Assert.Contains("\"number\":42", json, StringComparison.Ordinal);
        await env.PublishAsync("push-calls", Encoding.UTF8.GetBytes(json));

        var record = await PoisonQueue.WaitForAsync(env, "push-calls", valid.TrackingId, Wait);
        Assert.Equal(1, record.DequeueCount);
        Assert.Contains("data.caller.number", record.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("Dave", record.Description, StringComparison.Ordinal);
        Assert.Empty(await env.Ledger.GetAsync(valid.TrackingId, default));
    }

    [Fact]
    public async Task Bytes_that_are_not_json_are_dead_lettered_at_once_and_the_host_keeps_going()
    {
        var marker = "not-json-" + Guid.NewGuid().ToString("N");
        await env.PublishAsync("push-messages", Encoding.UTF8.GetBytes("{ this is " + marker));
        var record = await PoisonQueue.WaitForAsync(env, "push-messages", marker, Wait);
        Assert.Equal(1, record.DequeueCount);
        Assert.Contains("MalformedJson", record.Reason + record.Description, StringComparison.Ordinal);

        // The host is still processing.
        var user = TestDevice.NewUser();
        var android = await env.RegisterAsync(TestDevice.Android(user));
        var im = await env.PublishAsync(Producer.Create(user, new ImMessageData("c", "m", new ImSender(null, "a@b.c"), "hi", 1)));
        Assert.Equal(DeliveryStatus.Delivered, Assert.Single((await env.WaitForOutcomesAsync(im.TrackingId, 1, Wait)).Values).Status);
        Assert.Contains(env.Sandbox.FcmMessages, m => m.Token == android.PushToken);
    }

    [Fact]
    public async Task An_event_on_the_wrong_queue_is_dead_lettered_rather_than_jumping_the_line()
    {
        var user = TestDevice.NewUser();
        var im = Producer.Create(user, new ImMessageData("c", "m", new ImSender(null, "a@b.c"), "hi", 1));
        await env.PublishAsync("push-calls", PushEventWriter.Serialize(im));
        var record = await PoisonQueue.WaitForAsync(env, "push-calls", im.TrackingId, Wait);
        Assert.Contains("WrongQueue", record.Reason.ToString(), StringComparison.Ordinal);
    }
}

[Collection(RelayCollection.Name)]
public sealed class ProviderFailuresOverStorageQueuesTests(RelayEnvironment env) : ProviderFailureScenarios(env);

[Collection(ServiceBusRelayCollection.Name)]
public sealed class ProviderFailuresOverServiceBusTests(ServiceBusRelayEnvironment env) : ProviderFailureScenarios(env);
