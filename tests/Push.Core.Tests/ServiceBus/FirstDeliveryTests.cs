using Azure.Messaging.ServiceBus;
using Push.Core.ServiceBus;

namespace Push.Core.Tests.ServiceBus;

/// <summary>
/// When Service Bus may vouch that a message is a first delivery, so the pipeline skips the ledger read: never for a
/// redelivery, a retry copy or a replay the relay sent. (Storage queues never vouch: see StorageQueueEventHandler.)
/// </summary>
public sealed class FirstDeliveryTests
{
    private static readonly DateTimeOffset Inserted = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_service_bus_message_is_a_first_delivery_only_on_its_first_delivery_and_not_as_a_retry_copy_or_replay()
    {
        Assert.True(ServiceBusSettlement.IsFirstDelivery(Received(1)));
        Assert.False(ServiceBusSettlement.IsFirstDelivery(Received(2)));
        Assert.False(ServiceBusSettlement.IsFirstDelivery(Received(1, (ServiceBusSettlement.RetryOfProperty, "m-1"))));
        Assert.False(ServiceBusSettlement.IsFirstDelivery(Received(1, (ServiceBusDeadLetterQueue.ReplayOfProperty, "m-1"))));
    }

    private static ServiceBusReceivedMessage Received(int deliveryCount, params (string Key, object Value)[] properties) =>
        ServiceBusModelFactory.ServiceBusReceivedMessage(BinaryData.FromString("{}"), messageId: "m-1", deliveryCount: deliveryCount,
            properties: properties.ToDictionary(p => p.Key, p => p.Value));
}
