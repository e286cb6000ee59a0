namespace Push.Hosting.Queues;

/// <summary>A message handed to an <see cref="IQueueTriggeredFunction"/>.</summary>
/// <param name="QueueName">The queue it was received from.</param>
/// <param name="MessageId">The Storage message id (stable across deliveries).</param>
/// <param name="Body">The body, decoded per the queue's <c>messageEncoding</c>.</param>
/// <param name="DequeueCount">This delivery's number, starting at 1.</param>
/// <param name="InsertedOn">When the message was enqueued.</param>
/// <param name="ExpiresOn">When Storage will drop it.</param>
public sealed record QueueTriggerMessage(
    string QueueName,
    string MessageId,
    BinaryData Body,
    long DequeueCount,
    DateTimeOffset? InsertedOn,
    DateTimeOffset? ExpiresOn)
{
    /// <summary>
    /// The queue's <c>maxDequeueCount</c>: on this delivery a Retry settlement poisons the message instead, so a
    /// function can record the failure as final before that happens.
    /// </summary>
    public int MaxDequeueCount { get; init; } = QueueTriggerOptions.DefaultMaxDequeueCount;
}
