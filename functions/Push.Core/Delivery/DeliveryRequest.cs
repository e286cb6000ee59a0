namespace Push.Core.Delivery;

/// <summary>One queue message as the delivery pipeline sees it: no queue or transport type.</summary>
/// <param name="Body">The CloudEvent JSON, already decoded from the queue's message encoding.</param>
/// <param name="DeliveryCount">1 on the first delivery.</param>
/// <param name="MaxDeliveryCount">The transport's limit (host.json maxDequeueCount): on the last delivery a transient failure dead-letters.</param>
/// <param name="EnqueuedAt">When the producer's message entered the queue (for the enqueue-to-provider latency).</param>
public sealed record DeliveryRequest(
    ReadOnlyMemory<byte> Body,
    string MessageId,
    long DeliveryCount,
    int MaxDeliveryCount,
    DateTimeOffset? EnqueuedAt);
