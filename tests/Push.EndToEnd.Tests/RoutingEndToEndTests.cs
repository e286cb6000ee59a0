using System.Text;
using System.Text.Json;
using Push.Core.Events;
using Push.Core.Ledger;
using Push.EndToEnd.Tests.Infrastructure;
using Push.Testing.Phones;

namespace Push.EndToEnd.Tests;

/// <summary>
/// Events on the queues become the right pushes at the sandbox, and each decrypts on its device only.
/// The same scenarios run over both transports (subclasses below).
/// </summary>
public abstract class RoutingScenarios(RelayEnvironment env)
{
    protected RelayEnvironment Env => env;

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Ringing_call_reaches_an_iPhone_a_China_iPhone_and_an_Android_phone_with_the_right_pushes()
    {
        var user = TestDevice.NewUser();
        var iphone = await env.RegisterAsync(TestDevice.IPhone(user));
        var chinaIphone = await env.RegisterAsync(TestDevice.IPhone(user, region: "CN"));
        var android = await env.RegisterAsync(TestDevice.Android(user));

        var call = new PushEventWriter("/e2e").Create(user,
            new CallIncomingData("call-1", new Party("Alice Caller", "+15550001111"), "video", 30, ActiveNode: "cucm-node-b"));
        await env.PublishAsync(call);

        var voip = await env.Sandbox.WaitForApnsPushAsync(p => p.DeviceToken == iphone.VoipToken, Wait);
        Assert.Equal("voip", voip.PushType);
        Assert.Equal(RelayEnvironment.BundleId + ".voip", voip.Topic);
        Assert.Equal(10, voip.Priority);
        Assert.Equal(call.Time.AddSeconds(30).ToUnixTimeSeconds(), voip.Expiration);
        var opened = ReferencePhone.OpenApns(voip.Body, iphone.Key, iphone.DeviceId);
        Assert.Equal(call.TrackingId, opened.TrackingId);
        Assert.Equal("Alice Caller", opened.Plaintext.GetProperty("caller").GetProperty("name").GetString());
        Assert.Equal("+15550001111", opened.Plaintext.GetProperty("caller").GetProperty("number").GetString());
        Assert.Equal("cucm-node-b", opened.Plaintext.GetProperty("activeNode").GetString());
        Assert.ThrowsAny<Exception>(() => ReferencePhone.OpenApns(voip.Body, android.Key, iphone.DeviceId));
        Assert.ThrowsAny<Exception>(() => ReferencePhone.OpenApns(voip.Body, iphone.Key, chinaIphone.DeviceId));

        // Mainland China: no CallKit, so the call arrives as an alert on the ordinary token.
        var alert = await env.Sandbox.WaitForApnsPushAsync(p => p.DeviceToken == chinaIphone.PushToken, Wait);
        Assert.Equal("alert", alert.PushType);
        Assert.Equal(RelayEnvironment.BundleId, alert.Topic);
        Assert.Equal(10, alert.Priority);
        Assert.Equal(call.Time.AddSeconds(30).ToUnixTimeSeconds(), alert.Expiration);
        Assert.Equal(1, Aps(alert.BodyText).GetProperty("mutable-content").GetInt32());
        Assert.Equal(call.TrackingId, ReferencePhone.OpenApns(alert.Body, chinaIphone.Key, chinaIphone.DeviceId).TrackingId);
        Assert.DoesNotContain(env.Sandbox.ApnsPushes, p => p.DeviceToken == chinaIphone.VoipToken);

        var fcm = await env.Sandbox.WaitForFcmMessageAsync(m => m.Token == android.PushToken, Wait);
        Assert.Equal("high", fcm.AndroidPriority);
        var ttlSeconds = double.Parse(fcm.Ttl!.TrimEnd('s'), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(ttlSeconds, 1, 30);
        var androidOpened = ReferencePhone.OpenFcm(fcm.Data, android.Key, android.DeviceId);
        Assert.Equal("cucm-node-b", androidOpened.Plaintext.GetProperty("activeNode").GetString());
        Assert.ThrowsAny<Exception>(() => ReferencePhone.OpenFcm(fcm.Data, iphone.Key, android.DeviceId));

        var outcomes = await env.WaitForOutcomesAsync(call.TrackingId, 3, Wait);
        Assert.All(outcomes.Values, e => Assert.Equal(DeliveryStatus.Delivered, e.Status));
    }

    [Fact]
    public async Task Instant_message_arrives_as_an_alert_with_mutable_content_and_decrypts()
    {
        var user = TestDevice.NewUser();
        var iphone = await env.RegisterAsync(TestDevice.IPhone(user));
        var android = await env.RegisterAsync(TestDevice.Android(user));
        var im = new PushEventWriter("/e2e").Create(user,
            new ImMessageData("conv-42", "m-1", new ImSender("Bob Sender", "bob@example.com"), "See you at noon", 3));
        await env.PublishAsync(im);

        var alert = await env.Sandbox.WaitForApnsPushAsync(p => p.DeviceToken == iphone.PushToken, Wait);
        Assert.Equal("alert", alert.PushType);
        Assert.Equal(RelayEnvironment.BundleId, alert.Topic);
        var aps = Aps(alert.BodyText);
        Assert.Equal(1, aps.GetProperty("mutable-content").GetInt32());
        Assert.True(aps.TryGetProperty("thread-id", out _));
        var opened = ReferencePhone.OpenApns(alert.Body, iphone.Key, iphone.DeviceId);
        Assert.Equal("See you at noon", opened.Plaintext.GetProperty("preview").GetString());
        Assert.Equal("conv-42", opened.Plaintext.GetProperty("conversationId").GetString());

        var fcm = await env.Sandbox.WaitForFcmMessageAsync(m => m.Token == android.PushToken, Wait);
        Assert.Equal("high", fcm.AndroidPriority);
        Assert.False(string.IsNullOrEmpty(fcm.CollapseKey));
        Assert.Equal("See you at noon", ReferencePhone.OpenFcm(fcm.Data, android.Key, android.DeviceId).Plaintext.GetProperty("preview").GetString());
        Assert.DoesNotContain(env.Sandbox.ApnsPushes, p => p.DeviceToken == iphone.VoipToken);
    }

    [Fact]
    public async Task Call_ended_is_an_alert_and_never_a_voip_push()
    {
        var user = TestDevice.NewUser();
        var iphone = await env.RegisterAsync(TestDevice.IPhone(user));
        var ended = await env.PublishAsync(new PushEventWriter("/e2e").Create(user,
            new CallEndedData("call-9", CallEndReasons.Missed, new Party("Carol", "+15550002222"))));

        var alert = await env.Sandbox.WaitForApnsPushAsync(p => p.DeviceToken == iphone.PushToken, Wait);
        Assert.Equal("alert", alert.PushType);
        Assert.Equal(1, Aps(alert.BodyText).GetProperty("mutable-content").GetInt32());
        await env.WaitForOutcomesAsync(ended.TrackingId, 1, Wait);
        Assert.DoesNotContain(env.Sandbox.ApnsPushes, p => p.DeviceToken == iphone.VoipToken);
    }

    [Fact]
    public async Task Call_past_its_ring_time_is_not_sent_and_is_recorded_as_expired()
    {
        var user = TestDevice.NewUser();
        var iphone = await env.RegisterAsync(TestDevice.IPhone(user));
        var android = await env.RegisterAsync(TestDevice.Android(user));
        var fresh = new PushEventWriter("/e2e").Create(user, new CallIncomingData("call-old", new Party(null, "+15550003333"), "audio", 10));
        var stale = fresh with { Time = fresh.Time.AddMinutes(-2) };
        await env.PublishAsync(stale);

        var outcomes = await env.WaitForOutcomesAsync(stale.TrackingId, 2, Wait);
        Assert.All(outcomes.Values, e => Assert.Equal(DeliveryStatus.Expired, e.Status));
        Assert.DoesNotContain(env.Sandbox.ApnsPushes, p => p.DeviceToken == iphone.VoipToken || p.DeviceToken == iphone.PushToken);
        Assert.DoesNotContain(env.Sandbox.FcmMessages, m => m.Token == android.PushToken);
    }

    [Fact]
    public async Task Event_for_a_user_without_devices_is_recorded_as_such_and_completed()
    {
        var evt = await env.PublishAsync(new PushEventWriter("/e2e").Create(TestDevice.NewUser(),
            new ImMessageData("conv-1", "m-1", new ImSender(null, "x@example.com"), "hello", 1)));
        var outcomes = await env.WaitForOutcomesAsync(evt.TrackingId, 1, Wait);
        Assert.Equal("NoDevices", Assert.Single(outcomes.Values).Reason);
        await AssertLeftTheQueueAsync("push-messages", evt.TrackingId);
    }

    /// <summary>The transport no longer holds the event (completed, not left for redelivery).</summary>
    protected abstract Task AssertLeftTheQueueAsync(string queue, string trackingId);

    private static JsonElement Aps(string body) => JsonDocument.Parse(body).RootElement.GetProperty("aps");
}

[Collection(RelayCollection.Name)]
public sealed class RoutingOverStorageQueuesTests(RelayEnvironment env) : RoutingScenarios(env)
{
    protected override Task AssertLeftTheQueueAsync(string queue, string trackingId) =>
        Eventually.TrueAsync(async () => (await Env.Queue(queue).PeekMessagesAsync(32)).Value
            .All(m => !Encoding.UTF8.GetString(Convert.FromBase64String(m.MessageText)).Contains(trackingId, StringComparison.Ordinal)),
            "the message to leave the queue", TimeSpan.FromSeconds(30));
}

[Collection(ServiceBusRelayCollection.Name)]
public sealed class RoutingOverServiceBusTests(ServiceBusRelayEnvironment env) : RoutingScenarios(env)
{
    // Completed on the broker: neither active, locked nor dead-lettered (the emulator's own view of the queue).
    protected override Task AssertLeftTheQueueAsync(string queue, string trackingId) =>
        env.ServiceBus.WaitUntilAsync(() => env.ServiceBus.Messages(queue).Concat(env.ServiceBus.DeadLetterMessages(queue))
            .All(m => !Encoding.UTF8.GetString(m.Body).Contains(trackingId, StringComparison.Ordinal)), "the message to be completed");
}
