using Push.Core.Delivery;
using Push.Functions.Settlement;
using Push.Hosting.Queues;

namespace Push.Functions.DeliverCall;

/// <summary>
/// Triggered by the calls queue (<c>push-calls</c>): ringing and ended calls. It has its own queue,
/// listener and budget so a backlog of messages never delays a ringing phone.
/// </summary>
public sealed class DeliverCallFunction : IQueueTriggeredFunction
{
    public const string Name = "DeliverCall";

    private readonly QueueDelivery _delivery;

    public DeliverCallFunction(QueueDelivery delivery) => _delivery = delivery;

    public Task<QueueSettlement> RunAsync(QueueTriggerMessage message, CancellationToken cancellationToken) =>
        _delivery.RunAsync(message, EventRoute.Calls, cancellationToken);
}
