namespace Push.Core.Delivery;

/// <summary>One queue message as the delivery pipeline sees it: no queue or transport type.</summary>
/// <param name="Body">The CloudEvent JSON, already decoded from the queue's message encoding.</param>
/// <param name="MessageId">The transport's id for this message (logs only: a retry copy has its own).</param>
/// <param name="DeliveryCount">1 on the message's first delivery (logs only: the retry budget is time, kept in the ledger).</param>
/// <param name="EnqueuedAt">When the message entered the queue (for the enqueue-to-provider latency of first attempts).</param>
/// <param name="FirstDelivery">
/// The transport vouches that this is the first delivery of a message as its producer published it: not a redelivery and
/// not a copy the relay made (a retry copy or a replay), so no device can have an outcome for it yet and the pipeline
/// skips the ledger read (one storage round trip per event). False, the safe default, always reads the ledger.
/// </param>
public sealed record DeliveryRequest(
    ReadOnlyMemory<byte> Body,
    string MessageId,
    long DeliveryCount,
    DateTimeOffset? EnqueuedAt,
    bool FirstDelivery = false);
