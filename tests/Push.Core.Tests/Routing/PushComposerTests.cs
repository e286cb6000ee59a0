using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Push.Core.Events;
using Push.Core.Registry;
using Push.Core.Routing;
using Push.Core.Tests.Protection;
using Push.Providers.Apns;
using Push.Providers.Fcm;
using Push.Testing.Phones;

namespace Push.Core.Tests.Routing;

public sealed class PushComposerTests : IDisposable
{
    private readonly ComposerFixture _fixture = new();
    private readonly Guid _apnsId = Guid.NewGuid();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void Ios_incoming_call_is_a_voip_push_to_the_voip_token()
    {
        var phone = TestDevices.Ios(_fixture.Protector, environment: PushEnvironment.Sandbox);

        var push = Assert.IsType<ComposedPush.Apns>(_fixture.Composer.Compose(ComposerFixture.Call(ringSeconds: 45), phone.Device, _apnsId));

        var n = push.Notification;
        Assert.Equal(PushEnvironment.Sandbox, push.Environment);
        Assert.Equal(ApnsPushType.Voip, n.PushType);
        Assert.Equal(TestDevices.IosVoipToken, n.DeviceToken);
        Assert.Equal("com.example.phone.voip", n.Topic);
        Assert.Equal(10, n.Priority);
        Assert.Equal(ComposerFixture.EventTime.AddSeconds(45), n.Expiration);
        Assert.Equal(_apnsId, n.ApnsId);
        Assert.Null(n.CollapseId);

        var opened = ReferencePhone.OpenApns(n.Payload.Span, phone.Key, phone.Device.DeviceId);
        var plaintext = opened.Plaintext;
        Assert.Equal("call-42", plaintext.GetProperty("callId").GetString());
        Assert.Equal("Bob Builder", plaintext.GetProperty("caller").GetProperty("name").GetString());
        Assert.Equal("+15551230001", plaintext.GetProperty("caller").GetProperty("number").GetString());
        Assert.Equal("video", plaintext.GetProperty("media").GetString());
        Assert.Equal("cucm-sub2.example.com", plaintext.GetProperty("activeNode").GetString());
        Assert.Equal("2026-03-01T12:00:45Z", plaintext.GetProperty("ringExpiresAt").GetString());
        Assert.Equal(("push.call.incoming", "track-1", "k1"), (opened.Type, opened.TrackingId, opened.KeyId));
        Assert.False(JsonDocument.Parse(n.Payload).RootElement.TryGetProperty("aps", out _));
    }

    [Fact]
    public void Ios_incoming_call_in_china_is_a_mutable_alert_to_the_push_token()
    {
        var phone = TestDevices.Ios(_fixture.Protector, region: "CN");

        var push = Assert.IsType<ComposedPush.Apns>(_fixture.Composer.Compose(ComposerFixture.Call(), phone.Device, _apnsId));

        AssertAlert(push.Notification, ApnsAlertKeys.IncomingCall);
        Assert.Equal(ComposerFixture.EventTime.AddSeconds(30), push.Notification.Expiration);
        Assert.NotNull(push.Notification.CollapseId);
        var plaintext = ReferencePhone.OpenApns(push.Notification.Payload.Span, phone.Key, phone.Device.DeviceId).Plaintext;
        Assert.Equal("+15551230001", plaintext.GetProperty("caller").GetProperty("number").GetString());
    }

    [Fact]
    public void Ios_device_without_a_voip_token_gets_the_call_as_an_alert()
    {
        var phone = TestDevices.Ios(_fixture.Protector, voipToken: false);

        var push = Assert.IsType<ComposedPush.Apns>(_fixture.Composer.Compose(ComposerFixture.Call(), phone.Device, _apnsId));

        AssertAlert(push.Notification, ApnsAlertKeys.IncomingCall);
    }

    [Fact]
    public void Call_ended_on_ios_is_an_alert_never_voip_and_replaces_the_ringing_alert()
    {
        var phone = TestDevices.Ios(_fixture.Protector, region: "CN");

        var ringing = Assert.IsType<ComposedPush.Apns>(_fixture.Composer.Compose(ComposerFixture.Call(), phone.Device, _apnsId));
        var ended = Assert.IsType<ComposedPush.Apns>(_fixture.Composer.Compose(ComposerFixture.Ended(), phone.Device, _apnsId));

        AssertAlert(ended.Notification, ApnsAlertKeys.CallEnded);
        Assert.Equal(ringing.Notification.CollapseId, ended.Notification.CollapseId);
        Assert.Equal(ComposerFixture.EventTime + _fixture.Options.MessageTimeToLive, ended.Notification.Expiration);
        var plaintext = ReferencePhone.OpenApns(ended.Notification.Payload.Span, phone.Key, phone.Device.DeviceId).Plaintext;
        Assert.Equal("missed", plaintext.GetProperty("reason").GetString());
        Assert.Equal("Bob Builder", plaintext.GetProperty("caller").GetProperty("name").GetString());
    }

    [Fact]
    public void Im_message_on_ios_is_a_generic_alert_threaded_by_a_keyed_conversation_hash()
    {
        var phone = TestDevices.Ios(_fixture.Protector);

        var first = Assert.IsType<ComposedPush.Apns>(_fixture.Composer.Compose(ComposerFixture.Message(), phone.Device, _apnsId));
        var sameConversation = Assert.IsType<ComposedPush.Apns>(_fixture.Composer.Compose(ComposerFixture.Message("again"), phone.Device, _apnsId));
        var otherConversation = Assert.IsType<ComposedPush.Apns>(_fixture.Composer.Compose(ComposerFixture.Message(conversationId: "conv-other"), phone.Device, _apnsId));

        var aps = AssertAlert(first.Notification, ApnsAlertKeys.NewMessage);
        var threadId = aps.GetProperty("thread-id").GetString()!;
        Assert.Equal(22, threadId.Length);
        Assert.Equal(threadId, JsonDocument.Parse(sameConversation.Notification.Payload).RootElement.GetProperty("aps").GetProperty("thread-id").GetString());
        Assert.NotEqual(threadId, JsonDocument.Parse(otherConversation.Notification.Payload).RootElement.GetProperty("aps").GetProperty("thread-id").GetString());

        var plaintext = ReferencePhone.OpenApns(first.Notification.Payload.Span, phone.Key, phone.Device.DeviceId).Plaintext;
        Assert.Equal("conv-alice-bob", plaintext.GetProperty("conversationId").GetString());
        Assert.Equal("msg-1", plaintext.GetProperty("messageId").GetString());
        Assert.Equal("bob@example.com", plaintext.GetProperty("from").GetProperty("address").GetString());
        Assert.Equal("Lunch at noon?", plaintext.GetProperty("preview").GetString());
        Assert.False(plaintext.GetProperty("truncated").GetBoolean());
        Assert.Equal(3, plaintext.GetProperty("unreadCount").GetInt32());
    }

    [Fact]
    public void A_different_hash_key_gives_different_thread_ids()
    {
        var phone = TestDevices.Ios(_fixture.Protector);
        var otherKey = new RoutingOptions { ConversationHashKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) };
        var other = new PushComposer(_fixture.Cipher, _fixture.Clock, otherKey);

        string ThreadId(PushComposer composer) => JsonDocument.Parse(((ComposedPush.Apns)composer.Compose(ComposerFixture.Message(), phone.Device, _apnsId))
            .Notification.Payload).RootElement.GetProperty("aps").GetProperty("thread-id").GetString()!;

        Assert.NotEqual(ThreadId(_fixture.Composer), ThreadId(other));
    }

    [Fact]
    public void Android_incoming_call_is_a_high_priority_data_message_living_as_long_as_the_ring()
    {
        var phone = TestDevices.Android(_fixture.Protector);
        _fixture.Clock.Advance(TimeSpan.FromMilliseconds(10_500)); // 12.5 s into a 30 s ring

        var push = Assert.IsType<ComposedPush.Fcm>(_fixture.Composer.Compose(ComposerFixture.Call(), phone.Device, _apnsId));

        var m = push.Message;
        Assert.Equal(TestDevices.FcmToken, m.Token);
        Assert.Equal(FcmAndroidPriority.High, m.Priority);
        Assert.Equal(TimeSpan.FromSeconds(17), m.TimeToLive);
        Assert.Equal(["ciphertext", "keyId", "nonce", "trackingId", "type", "version"], m.Data.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("push.call.incoming", m.Data["type"]);
        Assert.Equal("track-1", m.Data["trackingId"]);
        var plaintext = ReferencePhone.OpenFcm(m.Data, phone.Key, phone.Device.DeviceId).Plaintext;
        Assert.Equal("cucm-sub2.example.com", plaintext.GetProperty("activeNode").GetString());
    }

    [Fact]
    public void A_ring_with_under_a_second_left_still_gets_a_one_second_ttl()
    {
        var phone = TestDevices.Android(_fixture.Protector);
        _fixture.Clock.SetUtcNow(ComposerFixture.EventTime.AddSeconds(29.6));

        var push = Assert.IsType<ComposedPush.Fcm>(_fixture.Composer.Compose(ComposerFixture.Call(), phone.Device, _apnsId));

        Assert.Equal(TimeSpan.FromSeconds(1), push.Message.TimeToLive);
    }

    [Fact]
    public void Android_messages_collapse_by_conversation_hash_and_calls_by_call_hash()
    {
        var phone = TestDevices.Android(_fixture.Protector);

        var message = Assert.IsType<ComposedPush.Fcm>(_fixture.Composer.Compose(ComposerFixture.Message(), phone.Device, _apnsId)).Message;
        var call = Assert.IsType<ComposedPush.Fcm>(_fixture.Composer.Compose(ComposerFixture.Call(), phone.Device, _apnsId)).Message;
        var ended = Assert.IsType<ComposedPush.Fcm>(_fixture.Composer.Compose(ComposerFixture.Ended(), phone.Device, _apnsId)).Message;

        Assert.Equal(22, message.CollapseKey!.Length);
        Assert.Equal(call.CollapseKey, ended.CollapseKey);
        Assert.NotEqual(message.CollapseKey, call.CollapseKey);
        Assert.Equal(FcmAndroidPriority.High, ended.Priority);
        Assert.Equal(_fixture.Options.MessageTimeToLive - TimeSpan.FromSeconds(2), message.TimeToLive);
        Assert.Equal("missed", ReferencePhone.OpenFcm(ended.Data, phone.Key, phone.Device.DeviceId).Plaintext.GetProperty("reason").GetString());
    }

    [Theory]
    [InlineData(30)]
    [InlineData(31)]
    public void A_call_whose_ring_time_has_passed_is_expired(int secondsLater)
    {
        _fixture.Clock.SetUtcNow(ComposerFixture.EventTime.AddSeconds(secondsLater));

        foreach (var phone in new[] { TestDevices.Ios(_fixture.Protector), TestDevices.Android(_fixture.Protector) })
        {
            var expired = Assert.IsType<ComposedPush.Expired>(_fixture.Composer.Compose(ComposerFixture.Call(), phone.Device, _apnsId));
            Assert.Equal(ComposerFixture.EventTime.AddSeconds(30), expired.ExpiredAt);
        }
    }

    [Fact]
    public void A_message_older_than_its_time_to_live_is_expired_but_a_call_ended_inside_it_is_sent()
    {
        var phone = TestDevices.Android(_fixture.Protector);
        _fixture.Clock.SetUtcNow(ComposerFixture.EventTime + _fixture.Options.MessageTimeToLive - TimeSpan.FromSeconds(5));
        Assert.IsType<ComposedPush.Fcm>(_fixture.Composer.Compose(ComposerFixture.Ended(), phone.Device, _apnsId));

        _fixture.Clock.Advance(TimeSpan.FromSeconds(5));
        Assert.IsType<ComposedPush.Expired>(_fixture.Composer.Compose(ComposerFixture.Message(), phone.Device, _apnsId));
    }

    [Fact]
    public void Devices_without_the_needed_token_are_not_sendable()
    {
        var noTokens = TestDevices.Ios(_fixture.Protector, voipToken: false, pushToken: false);
        var androidWithout = TestDevices.Android(_fixture.Protector, pushToken: false);
        var cnWithoutPushToken = TestDevices.Ios(_fixture.Protector, region: "CN", pushToken: false);

        Assert.Equal(new ComposedPush.NotSendable(UnsendableReason.MissingToken), _fixture.Composer.Compose(ComposerFixture.Call(), noTokens.Device, _apnsId));
        Assert.Equal(new ComposedPush.NotSendable(UnsendableReason.MissingToken), _fixture.Composer.Compose(ComposerFixture.Message(), androidWithout.Device, _apnsId));
        Assert.Equal(new ComposedPush.NotSendable(UnsendableReason.MissingToken), _fixture.Composer.Compose(ComposerFixture.Call(), cnWithoutPushToken.Device, _apnsId));
    }

    [Fact]
    public void Registry_events_are_not_pushed()
    {
        var phone = TestDevices.Android(_fixture.Protector);

        var result = _fixture.Composer.Compose(ComposerFixture.Event(new DeviceUnregisteredData("pixel-1")), phone.Device, _apnsId);

        Assert.Equal(new ComposedPush.NotSendable(UnsendableReason.NotADeliveryEvent), result);
    }

    [Fact]
    public void A_call_for_named_devices_targets_only_those()
    {
        var iphone = TestDevices.Ios(_fixture.Protector, "iphone-1").Device;
        var pixel = TestDevices.Android(_fixture.Protector, "pixel-1").Device;

        Assert.True(PushComposer.Targets(ComposerFixture.Call(devices: ["pixel-1"]), pixel));
        Assert.False(PushComposer.Targets(ComposerFixture.Call(devices: ["pixel-1"]), iphone));
        Assert.True(PushComposer.Targets(ComposerFixture.Call(), iphone));
        Assert.True(PushComposer.Targets(ComposerFixture.Message(), iphone));
    }

    [Fact]
    public void The_same_device_key_opens_every_push_and_another_key_none()
    {
        var ios = TestDevices.Ios(_fixture.Protector);
        var android = TestDevices.Android(_fixture.Protector);
        var wrongKey = RandomNumberGenerator.GetBytes(32);

        foreach (var evt in new[] { ComposerFixture.Call(), ComposerFixture.Ended(), ComposerFixture.Message() })
        {
            var apns = (ComposedPush.Apns)_fixture.Composer.Compose(evt, ios.Device, _apnsId);
            var fcm = (ComposedPush.Fcm)_fixture.Composer.Compose(evt, android.Device, _apnsId);

            Assert.Equal(evt.Type, ReferencePhone.OpenApns(apns.Notification.Payload.Span, ios.Key, ios.Device.DeviceId).Type);
            Assert.Equal(evt.Type, ReferencePhone.OpenFcm(fcm.Message.Data, android.Key, android.Device.DeviceId).Type);
            Assert.ThrowsAny<CryptographicException>(() => ReferencePhone.OpenApns(apns.Notification.Payload.Span, wrongKey, ios.Device.DeviceId));
            Assert.ThrowsAny<CryptographicException>(() => ReferencePhone.OpenFcm(fcm.Message.Data, wrongKey, android.Device.DeviceId));
        }
    }

    [Fact]
    public void The_composer_refuses_options_without_a_usable_hash_key()
    {
        var error = Assert.Throws<OptionsValidationException>(() =>
            new PushComposer(_fixture.Cipher, _fixture.Clock, new RoutingOptions { ConversationHashKey = "c2hvcnQ=" }));

        Assert.Contains("Routing:ConversationHashKey", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("c2hvcnQ=", error.Message, StringComparison.Ordinal);
    }

    private static JsonElement AssertAlert(ApnsNotification n, string locKey)
    {
        Assert.Equal(ApnsPushType.Alert, n.PushType);
        Assert.Equal(TestDevices.IosPushToken, n.DeviceToken);
        Assert.Equal("com.example.phone", n.Topic);
        Assert.Equal(10, n.Priority);
        var aps = JsonDocument.Parse(n.Payload).RootElement.GetProperty("aps");
        Assert.Equal(1, aps.GetProperty("mutable-content").GetInt32());
        Assert.Equal(locKey, aps.GetProperty("alert").GetProperty("loc-key").GetString());
        return aps;
    }
}
