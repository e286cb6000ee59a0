using Microsoft.Extensions.Options;
using Push.Core.Delivery;
using Push.Core.Queues;
using Push.Core.StorageQueues;

namespace Push.Functions.QueuedEvents;

/// <summary>
/// What the three queue-triggered functions share: run the message through the delivery pipeline, then settle it in the
/// Functions host's terms (<see cref="StorageQueueSettlement"/>). An exception (a bug, the relay's own storage
/// unreachable) is left to the host: the message comes back after <c>visibilityTimeout</c>, and after
/// <c>maxDequeueCount</c> goes to the poison queue with no reason, where triage looks for the ledger's last failure.
/// </summary>
public sealed class StorageQueueEventHandler(EventDelivery delivery, StorageQueueSettlement settlement, IOptions<QueueNames> queueNames)
{
    public async Task HandleAsync(ReceivedQueueMessage message, EventRoute route, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var request = new DeliveryRequest(message.Body, message.MessageId, message.DequeueCount, message.InsertedOn, message.IsFirstDelivery);
        var verdict = await delivery.DeliverAsync(request, route, cancellationToken).ConfigureAwait(false);
        await settlement.SettleAsync(queueNames.Value.For(route), message, verdict, cancellationToken).ConfigureAwait(false);
    }
}
