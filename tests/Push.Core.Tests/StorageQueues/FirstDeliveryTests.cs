using Azure.Messaging.ServiceBus;
using Push.Core.ServiceBus;
using Push.Core.StorageQueues;

namespace Push.Core.Tests.StorageQueues;

/// <summary>
/// When a transport may vouch that a message is a first delivery, so the pipeline skips the ledger read: never for a
/// redelivery, a retry copy or a replay the relay sent, nor when it cannot tell.
/// </summary>
public sealed class FirstDeliveryTests
{
    private static readonly DateTimeOffset Inserted = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_storage_message_is_a_first_delivery_only_on_its_first_dequeue_with_an_expiry()
    {
        Assert.True(Message(dequeueCount: 1, Inserted.AddDays(7)).IsFirstDelivery);
        Assert.False(Message(dequeueCount: 2, Inserted.AddDays(7)).IsFirstDelivery);
        // The relay's own copies never expire (Storage says 9999-12-31): a retry copy or a replay reads the ledger.
        Assert.False(Message(dequeueCount: 1, new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero)).IsFirstDelivery);
        // A host that passes no expiration time cannot vouch for anything.
        Assert.False(Message(dequeueCount: 1, expiresOn: null).IsFirstDelivery);
    }

    [Fact]
    public void A_service_bus_message_is_a_first_delivery_only_on_its_first_delivery_and_not_as_a_retry_copy_or_replay()
    {
        Assert.True(ServiceBusSettlement.IsFirstDelivery(Received(1)));
        Assert.False(ServiceBusSettlement.IsFirstDelivery(Received(2)));
        Assert.False(ServiceBusSettlement.IsFirstDelivery(Received(1, (ServiceBusSettlement.RetryOfProperty, "m-1"))));
        Assert.False(ServiceBusSettlement.IsFirstDelivery(Received(1, (ServiceBusDeadLetterQueue.ReplayOfProperty, "m-1"))));
    }

    private static ReceivedQueueMessage Message(long dequeueCount, DateTimeOffset? expiresOn) =>
        new("{}"u8.ToArray(), "m-1", dequeueCount, Inserted, expiresOn);

    private static ServiceBusReceivedMessage Received(int deliveryCount, params (string Key, object Value)[] properties) =>
        ServiceBusModelFactory.ServiceBusReceivedMessage(BinaryData.FromString("{}"), messageId: "m-1", deliveryCount: deliveryCount,
            properties: properties.ToDictionary(p => p.Key, p => p.Value));
}
