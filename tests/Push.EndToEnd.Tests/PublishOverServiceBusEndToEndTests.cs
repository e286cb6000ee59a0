using Push.Core.Events;
using Push.Core.Ledger;
using Push.EndToEnd.Tests.Infrastructure;
using Push.Testing.ServiceBus;

namespace Push.EndToEnd.Tests;

/// <summary>
/// Publishing onto Service Bus: the message id is the tracking id, so the broker's duplicate detection drops a producer's
/// retry before the relay ever sees it.
/// </summary>
[Collection(ServiceBusRelayCollection.Name)]
public sealed class PublishOverServiceBusEndToEndTests(ServiceBusRelayEnvironment env)
{
    [Fact]
    public async Task Push_publish_sends_the_event_with_its_tracking_id_as_the_message_id()
    {
        var user = TestDevice.NewUser();
        var iphone = await env.RegisterAsync(TestDevice.IPhone(user));

        var trackingId = PushCli.TrackingId(await PushCli.RunAsync(env, "publish", "call", "--user", user, "--caller-number", "+15550007777"));

        await env.WaitForStatusAsync(trackingId, iphone.DeviceId, DeliveryStatus.Delivered);
        await env.ServiceBus.WaitUntilAsync(() => env.ServiceBus.Settlements.Any(s => s.Queue == "push-calls" && s.MessageId == trackingId), "the call settled");
        var settled = Assert.Single(env.ServiceBus.Settlements, s => s.Queue == "push-calls" && s.MessageId == trackingId);
        Assert.Equal(SettlementKind.Completed, settled.Kind);
    }

    [Fact]
    public async Task A_producer_sending_the_same_event_twice_has_the_second_dropped_by_the_broker_and_the_device_pushed_once()
    {
        var user = TestDevice.NewUser();
        var android = await env.RegisterAsync(TestDevice.Android(user));
        var im = new PushEventWriter("/e2e").Create(user, new ImMessageData("c", "m", new ImSender(null, "a@b.c"), "twice", 1));

        // A producer's retry after a lost acknowledgement: the same body, the same message id (the tracking id).
        await env.PublishAsync(im);
        await env.PublishAsync(im);

        Assert.Single(env.ServiceBus.DroppedDuplicates, d => d.Queue == "push-messages" && d.MessageId == im.TrackingId);
        await env.WaitForStatusAsync(im.TrackingId, android.DeviceId, DeliveryStatus.Delivered);
        await env.ServiceBus.WaitUntilAsync(() => env.ServiceBus.Settlements.Any(s => s.MessageId == im.TrackingId), "the message settled");
        Assert.Single(env.ServiceBus.Settlements, s => s.Queue == "push-messages" && s.MessageId == im.TrackingId);
        Assert.Single(env.Sandbox.FcmMessages, m => m.Token == android.PushToken);
    }
}
