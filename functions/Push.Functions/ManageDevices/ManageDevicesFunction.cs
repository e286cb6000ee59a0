using Microsoft.Azure.Functions.Worker;
using Push.Core.Delivery;
using Push.Core.StorageQueues;
using Push.Functions.QueuedEvents;

namespace Push.Functions.ManageDevices;

/// <summary>Device registrations and unregistrations from the devices queue (<c>Queues:Devices</c>, default <c>push-devices</c>).</summary>
public sealed class ManageDevicesFunction(StorageQueueEventHandler handler)
{
    public const string Name = "ManageDevices";

    // The body as bytes, with the trigger metadata by name (id, dequeueCount, insertionTime, expirationTime), rather than a QueueMessage,
    // whose MessageText is the body decoded as UTF-8: the relay must see what the producer sent (StorageQueues/ReceivedQueueMessage).
    [Function(Name)]
    public Task RunAsync(
        [QueueTrigger("%Queues:Devices%", Connection = "AzureWebJobsStorage")] byte[] body,
        string id, long dequeueCount, DateTimeOffset insertionTime, DateTimeOffset expirationTime, CancellationToken cancellationToken) =>
        handler.HandleAsync(new ReceivedQueueMessage(body, id, dequeueCount, insertionTime, expirationTime), EventRoute.Devices, cancellationToken);
}
