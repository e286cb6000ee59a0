using Microsoft.Azure.Functions.Worker;
using Push.Core.Delivery;
using Push.Core.StorageQueues;
using Push.Functions.QueuedEvents;

namespace Push.Functions.DeliverCall;

/// <summary>
/// Ringing and ended calls from the calls queue (<c>Queues:Calls</c>, default <c>push-calls</c>). It has its own queue,
/// and on Flex Consumption its own instances, so a backlog of messages never delays a ringing phone.
/// </summary>
public sealed class DeliverCallFunction(StorageQueueEventHandler handler)
{
    public const string Name = "DeliverCall";

    // The body as bytes, with the trigger metadata by name (id, dequeueCount, insertionTime, expirationTime), rather than a QueueMessage,
    // whose MessageText is the body decoded as UTF-8: the relay must see what the producer sent (StorageQueues/ReceivedQueueMessage).
    [Function(Name)]
    public Task RunAsync(
        [QueueTrigger("%Queues:Calls%", Connection = "AzureWebJobsStorage")] byte[] body,
        string id, long dequeueCount, DateTimeOffset insertionTime, DateTimeOffset expirationTime, CancellationToken cancellationToken) =>
        handler.HandleAsync(new ReceivedQueueMessage(body, id, dequeueCount, insertionTime, expirationTime), EventRoute.Calls, cancellationToken);
}
