using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Push.Core.Delivery;
using Push.Functions.QueuedEvents;

namespace Push.Functions.DeliverMessage;

/// <summary>Instant messages from the messages queue (<c>Queues:Messages</c>, default <c>push-messages</c>).</summary>
public sealed class DeliverMessageFunction(StorageQueueEventHandler handler)
{
    public const string Name = "DeliverMessage";

    [Function(Name)]
    public Task RunAsync(
        [QueueTrigger("%Queues:Messages%", Connection = "AzureWebJobsStorage")] QueueMessage message,
        CancellationToken cancellationToken) =>
        handler.HandleAsync(message, EventRoute.Messages, cancellationToken);
}
