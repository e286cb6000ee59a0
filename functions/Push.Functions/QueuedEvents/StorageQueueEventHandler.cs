using System.Text;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Push.Core.DeadLetters;
using Push.Core.Delivery;
using Push.Core.Queues;
using Push.Core.StorageQueues;

namespace Push.Functions.QueuedEvents;

/// <summary>
/// Runs one Storage-queue message through the delivery pipeline and settles it in the Functions host's terms, which
/// know only "the function returned" (the host deletes the message) and "the function threw" (the host makes it visible
/// again after host.json <c>visibilityTimeout</c>, and poisons it at <c>maxDequeueCount</c>). Everything else the relay
/// does itself before returning:
/// <list type="bullet">
/// <item>retry later: a copy of the message text goes back on its queue, invisible until the delay (never sooner than the
/// provider's Retry-After) has passed; the attempts are counted in the ledger and bounded by time, not by dequeues;</item>
/// <item>dead-letter: the reason is recorded, then the text goes unchanged to <c>&lt;queue&gt;-poison</c>, where triage
/// and <c>push dlq</c> find it as they find the host's own poison messages.</item>
/// </list>
/// An exception (a bug, the relay's own storage unreachable) is left to the host, whose poison entry carries no reason.
/// </summary>
public sealed partial class StorageQueueEventHandler(
    EventDelivery delivery,
    StorageEventQueues queues,
    IOptions<QueueNames> queueNames,
    TimeProvider time,
    ILogger<StorageQueueEventHandler> logger)
{
    public async Task HandleAsync(QueueMessage message, EventRoute route, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var queue = queueNames.Value.For(route);
        // The host hands over the decoded body as text (the extension's QueueMessage.MessageText).
        var body = Encoding.UTF8.GetBytes(message.MessageText ?? "");
        var request = new DeliveryRequest(body, message.MessageId, message.DequeueCount, message.InsertedOn);
        var verdict = await delivery.DeliverAsync(request, route, cancellationToken).ConfigureAwait(false);
        switch (verdict)
        {
            case DeliveryVerdict.DoneVerdict:
                return;
            case DeliveryVerdict.RetryVerdict retry:
                await queues.SendTextAsync(queue, queues.Encode(body), retry.Delay, cancellationToken).ConfigureAwait(false);
                LogRetryCopy(queue, message.MessageId, retry.Reason, retry.Delay);
                return;
            case DeliveryVerdict.DeadLetterVerdict dead:
                await queues.DeadLetterAsync(queue, queues.Encode(body), new RecordedDeadLetterReason(dead.Reason, dead.Description,
                    message.MessageId, message.DequeueCount, message.InsertedOn, time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
                LogDeadLettered(queue, message.MessageId, dead.Reason.ToString());
                return;
            default:
                throw new InvalidOperationException("unknown verdict " + verdict.GetType().Name);
        }
    }

    [LoggerMessage(3701, LogLevel.Information, "Message {MessageId} on {Queue}: a copy comes back in {Delay} ({Reason})")]
    private partial void LogRetryCopy(string queue, string messageId, string reason, TimeSpan delay);

    [LoggerMessage(3702, LogLevel.Warning, "Message {MessageId} on {Queue} dead-lettered to its poison queue: {Reason}")]
    private partial void LogDeadLettered(string queue, string messageId, string reason);
}
