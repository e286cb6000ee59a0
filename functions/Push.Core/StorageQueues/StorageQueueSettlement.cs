using Microsoft.Extensions.Logging;
using Push.Core.DeadLetters;
using Push.Core.Delivery;

namespace Push.Core.StorageQueues;

/// <summary>
/// Carries out a <see cref="DeliveryVerdict"/> for a Storage-queue message in the Functions host's terms. The host knows
/// only "the function returned" (it deletes the message) and "the function threw" (it makes the message visible again
/// after host.json <c>visibilityTimeout</c>, and poisons it unchanged at <c>maxDequeueCount</c>). So everything else is
/// done here, before the function returns:
/// <list type="bullet">
/// <item>done: nothing (the host deletes the message);</item>
/// <item>retry later: a copy of the message text goes back on its queue, invisible until the delay (never sooner than
/// the provider's Retry-After) has passed. The attempts are counted in the ledger and bounded by time
/// (<see cref="DeliveryOptions.RetryBudget"/>), not by dequeues, which a copy starts again from one;</item>
/// <item>dead-letter: the reason is recorded, then the text goes unchanged to <c>&lt;queue&gt;-poison</c>, where triage
/// and <c>push dlq</c> find it as they find the host's own poison messages.</item>
/// </list>
/// </summary>
public sealed partial class StorageQueueSettlement(StorageEventQueues queues, TimeProvider time, ILogger<StorageQueueSettlement> logger)
{
    public async Task SettleAsync(string queue, ReceivedQueueMessage message, DeliveryVerdict verdict, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var body = message.Body;
        ArgumentNullException.ThrowIfNull(verdict);
        switch (verdict)
        {
            case DeliveryVerdict.DoneVerdict:
                return;
            case DeliveryVerdict.RetryVerdict retry:
                await queues.SendTextAsync(queue, queues.Encode(body.Span), retry.Delay, cancellationToken).ConfigureAwait(false);
                LogRetryCopy(queue, message.MessageId, retry.Reason, retry.Delay);
                return;
            case DeliveryVerdict.DeadLetterVerdict dead:
                await queues.DeadLetterAsync(queue, queues.Encode(body.Span), new RecordedDeadLetterReason(dead.Reason, dead.Description,
                    message.MessageId, message.DequeueCount, message.InsertedOn, time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
                LogDeadLettered(queue, message.MessageId, dead.Reason.ToString());
                return;
            default:
                throw new InvalidOperationException("unknown verdict " + verdict.GetType().Name);
        }
    }
}
