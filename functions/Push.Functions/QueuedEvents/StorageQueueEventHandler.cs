using System.Text;
using Azure.Storage.Queues.Models;
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
    public async Task HandleAsync(QueueMessage message, EventRoute route, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        // The host hands over the decoded body as text (the Storage extension's QueueMessage.MessageText).
        var body = Encoding.UTF8.GetBytes(message.MessageText ?? "");
        var request = new DeliveryRequest(body, message.MessageId, message.DequeueCount, message.InsertedOn);
        var verdict = await delivery.DeliverAsync(request, route, cancellationToken).ConfigureAwait(false);
        await settlement.SettleAsync(queueNames.Value.For(route), message, body, verdict, cancellationToken).ConfigureAwait(false);
    }
}
