using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Push.Core.Delivery;
using Push.Functions.QueuedEvents;

namespace Push.Functions.DeliverCall;

/// <summary>
/// Ringing and ended calls from the calls queue (<c>Queues:Calls</c>, default <c>push-calls</c>). It has its own queue,
/// and on Flex Consumption its own instances, so a backlog of messages never delays a ringing phone.
/// </summary>
public sealed class DeliverCallFunction(StorageQueueEventHandler handler)
{
    public const string Name = "DeliverCall";

    [Function(Name)]
    public Task RunAsync(
        [QueueTrigger("%Queues:Calls%", Connection = "AzureWebJobsStorage")] QueueMessage message,
        CancellationToken cancellationToken) =>
        handler.HandleAsync(message, EventRoute.Calls, cancellationToken);
}
