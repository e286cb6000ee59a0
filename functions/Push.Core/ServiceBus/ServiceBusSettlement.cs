using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Logging;
using Push.Core.DeadLetters;
using Push.Core.Delivery;

namespace Push.Core.ServiceBus;

/// <summary>
/// Carries out a <see cref="DeliveryVerdict"/> for a Service Bus message, with the SDK: complete; retry later as a
/// scheduled copy (enqueued when the delay, never shorter than the provider's Retry-After, has passed) and the original
/// completed — Service Bus can only abandon at once, which would spend a delivery and ignore the delay; dead-letter with
/// <c>DeadLetterReason</c> / <c>DeadLetterErrorDescription</c> naming the problem. An exception is left to the processor,
/// which abandons the message; at the queue's <c>MaxDeliveryCount</c> Service Bus dead-letters it as
/// <c>MaxDeliveryCountExceeded</c>.
/// </summary>
public sealed partial class ServiceBusSettlement(ServiceBusSenders senders, TimeProvider time, ILogger<ServiceBusSettlement> logger)
{
    /// <summary>On a retry copy: the message id of the message it was copied from (the copy needs its own id, or
    /// duplicate detection would drop it).</summary>
    public const string RetryOfProperty = "push-retry-of";

    /// <summary>On a dead letter the relay wrote: when (Service Bus keeps only the original enqueue time).</summary>
    public const string DeadLetteredAtProperty = "push-dead-lettered-at";

    /// <summary>
    /// The first delivery of a message its producer published: Service Bus delivers it for the first time, and it is not a
    /// retry copy or a replay the relay sent. A producer's re-send of the same tracking id is dropped by the queue's
    /// duplicate detection (the message id is the tracking id), so no device can have an outcome for it yet.
    /// </summary>
    public static bool IsFirstDelivery(ServiceBusReceivedMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message.DeliveryCount == 1
            && !message.ApplicationProperties.ContainsKey(RetryOfProperty)
            && !message.ApplicationProperties.ContainsKey(ServiceBusDeadLetterQueue.ReplayOfProperty);
    }

    public async Task SettleAsync(string queue, ServiceBusReceivedMessage message, IServiceBusMessageActions actions, DeliveryVerdict verdict,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(actions);
        switch (verdict)
        {
            case DeliveryVerdict.DoneVerdict:
                await actions.CompleteAsync(message, cancellationToken).ConfigureAwait(false);
                return;
            case DeliveryVerdict.RetryVerdict retry:
                var copy = new ServiceBusMessage(message) { MessageId = Guid.NewGuid().ToString() };
                copy.ApplicationProperties[RetryOfProperty] = message.ApplicationProperties.TryGetValue(RetryOfProperty, out var first)
                    ? first
                    : message.MessageId;
                await senders.For(queue).ScheduleMessageAsync(copy, time.GetUtcNow() + retry.Delay, cancellationToken).ConfigureAwait(false);
                await actions.CompleteAsync(message, cancellationToken).ConfigureAwait(false);
                LogRetryCopy(queue, message.MessageId, retry.Reason, retry.Delay);
                return;
            case DeliveryVerdict.DeadLetterVerdict dead:
                await actions.DeadLetterAsync(message, new Dictionary<string, object> { [DeadLetteredAtProperty] = time.GetUtcNow() },
                    dead.Reason.ToString(), dead.Description, cancellationToken).ConfigureAwait(false);
                LogDeadLettered(queue, message.MessageId, dead.Reason.ToString());
                return;
            default:
                throw new InvalidOperationException("unknown verdict " + verdict.GetType().Name);
        }
    }

    // Fixed event ids 3720-3739.
    [LoggerMessage(3721, LogLevel.Information, "Message {MessageId} on {Queue}: a copy is scheduled in {Delay} ({Reason})")]
    private partial void LogRetryCopy(string queue, string messageId, string reason, TimeSpan delay);

    [LoggerMessage(3722, LogLevel.Warning, "Message {MessageId} on {Queue} dead-lettered: {Reason}")]
    private partial void LogDeadLettered(string queue, string messageId, string reason);
}

/// <summary>
/// The settlement a handler can apply to a received message: what <c>ProcessMessageEventArgs</c> offers the processor's
/// handler (and, where the Functions extension exists, its <c>ServiceBusMessageActions</c>).
/// </summary>
public interface IServiceBusMessageActions
{
    Task CompleteAsync(ServiceBusReceivedMessage message, CancellationToken cancellationToken);

    Task DeadLetterAsync(ServiceBusReceivedMessage message, IDictionary<string, object> propertiesToModify, string reason, string description,
        CancellationToken cancellationToken);
}

/// <summary>The processor's own settlement for the message it handed to the handler.</summary>
public sealed class ProcessorMessageActions(ProcessMessageEventArgs args) : IServiceBusMessageActions
{
    public Task CompleteAsync(ServiceBusReceivedMessage message, CancellationToken cancellationToken) =>
        args.CompleteMessageAsync(message, cancellationToken);

    public Task DeadLetterAsync(ServiceBusReceivedMessage message, IDictionary<string, object> propertiesToModify, string reason, string description,
        CancellationToken cancellationToken) =>
        args.DeadLetterMessageAsync(message, propertiesToModify, reason, description, cancellationToken);
}
