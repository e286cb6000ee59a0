namespace Push.Core.StorageQueues;

/// <summary>
/// A Storage-queue message as the Functions host hands it to a queue-triggered function: the body exactly as decoded
/// from the queue's text (bytes, not text: a body that is not UTF-8 must reach the parser as it is, and a dead letter
/// must be the original text unchanged) and the trigger metadata the host passes with it.
/// </summary>
/// <param name="DequeueCount">1 on the message's first delivery.</param>
/// <param name="ExpiresOn">The trigger's <c>ExpirationTime</c>: the relay's own copies never expire (<see cref="StorageEventQueues.NeverExpires"/>).</param>
public sealed record ReceivedQueueMessage(ReadOnlyMemory<byte> Body, string MessageId, long DequeueCount, DateTimeOffset? InsertedOn,
    DateTimeOffset? ExpiresOn = null)
{
    /// <summary>
    /// The first delivery of a message a producer published: dequeued once, and not a retry copy or a replay, which the
    /// relay sends with no expiry. Unknown expiry counts as a copy, so the ledger is read.
    /// </summary>
    public bool IsFirstDelivery => DequeueCount == 1 && ExpiresOn is { } expiresOn && !StorageEventQueues.NeverExpires(expiresOn);
}
