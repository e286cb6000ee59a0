using Push.Core.Delivery;
using Push.Functions.Settlement;
using Push.Hosting.Queues;

namespace Push.Functions.DeliverMessage;

/// <summary>Triggered by the messages queue (<c>push-messages</c>): instant messages.</summary>
public sealed class DeliverMessageFunction : IQueueTriggeredFunction
{
    public const string Name = "DeliverMessage";

    private readonly QueueDelivery _delivery;

    public DeliverMessageFunction(QueueDelivery delivery) => _delivery = delivery;

    public Task<QueueSettlement> RunAsync(QueueTriggerMessage message, CancellationToken cancellationToken) =>
        _delivery.RunAsync(message, EventRoute.Messages, cancellationToken);
}
