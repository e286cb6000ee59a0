using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Push.Core.Delivery;
using Push.Functions.QueuedEvents;

namespace Push.Functions.ManageDevices;

/// <summary>Device registrations and unregistrations from the devices queue (<c>Queues:Devices</c>, default <c>push-devices</c>).</summary>
public sealed class ManageDevicesFunction(StorageQueueEventHandler handler)
{
    public const string Name = "ManageDevices";

    [Function(Name)]
    public Task RunAsync(
        [QueueTrigger("%Queues:Devices%", Connection = "AzureWebJobsStorage")] QueueMessage message,
        CancellationToken cancellationToken) =>
        handler.HandleAsync(message, EventRoute.Devices, cancellationToken);
}
