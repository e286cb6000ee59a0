using Push.Core.Delivery;
using Push.Hosting.Queues;

namespace Push.Functions.Settlement;

/// <summary>
/// The one translation between the transport (a queue message and its settlement) and the
/// transport-free delivery pipeline, shared by every queue-triggered function.
/// </summary>
public sealed class QueueDelivery
{
    private readonly EventDelivery _delivery;

    public QueueDelivery(EventDelivery delivery) => _delivery = delivery;

    public async Task<QueueSettlement> RunAsync(QueueTriggerMessage message, EventRoute route, CancellationToken cancellationToken)
    {
        var request = new DeliveryRequest(message.Body.ToMemory(), message.MessageId, message.DequeueCount,
            message.MaxDequeueCount, message.InsertedOn);
        var verdict = await _delivery.DeliverAsync(request, route, cancellationToken);
        return verdict switch
        {
            DeliveryVerdict.DoneVerdict => QueueSettlement.Complete,
            DeliveryVerdict.RetryVerdict retry => QueueSettlement.Retry(retry.Delay, retry.Reason),
            DeliveryVerdict.DeadLetterVerdict dead => QueueSettlement.DeadLetter(dead.Reason, dead.Description),
            _ => throw new InvalidOperationException("unknown verdict " + verdict.GetType().Name),
        };
    }
}
