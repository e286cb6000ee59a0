namespace Push.Core.StorageQueues;

/// <summary>
/// A Storage-queue message as the Functions host hands it to a queue-triggered function: the body exactly as decoded
/// from the queue's text (bytes, not text: a body that is not UTF-8 must reach the parser as it is, and a dead letter
/// must be the original text unchanged) and the trigger metadata the host passes with it.
/// </summary>
/// <param name="DequeueCount">1 on the message's first delivery.</param>
public sealed record ReceivedQueueMessage(ReadOnlyMemory<byte> Body, string MessageId, long DequeueCount, DateTimeOffset? InsertedOn);
