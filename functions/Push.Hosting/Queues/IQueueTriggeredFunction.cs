namespace Push.Hosting.Queues;

/// <summary>
/// A function bound to a Storage queue. One instance is resolved from a fresh DI scope per message. Throwing counts as
/// a failed invocation (the Functions behaviour: redelivered after <c>visibilityTimeout</c>, poisoned at
/// <c>maxDequeueCount</c>); the returned settlement says what happens otherwise.
/// </summary>
public interface IQueueTriggeredFunction
{
    /// <param name="message">The message, its body decoded per <c>messageEncoding</c>.</param>
    /// <param name="cancellationToken">Cancelled at <c>functionTimeout</c> and when the shutdown grace period ends.</param>
    Task<QueueSettlement> RunAsync(QueueTriggerMessage message, CancellationToken cancellationToken);
}
