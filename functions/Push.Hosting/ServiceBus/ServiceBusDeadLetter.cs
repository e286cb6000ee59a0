namespace Push.Hosting.ServiceBus;

/// <summary>
/// One message taken (peek-locked) from a queue's dead-letter queue by <see cref="ServiceBusDeadLetterReader"/>.
/// <see cref="Handle"/> names the held delivery inside that reader; settle it with the reader that returned it.
/// </summary>
/// <param name="QueueName">The source queue (the replay target), not the dead-letter address.</param>
/// <param name="Handle">The reader's handle of this delivery (unique per receive).</param>
/// <param name="MessageId">The message-id (the producer's tracking id), else the sequence number or delivery tag.</param>
/// <param name="Body">The body bytes; null when the message could not be read at all.</param>
/// <param name="DeadLetterReason">Application property <c>DeadLetterReason</c>; null where the broker keeps none (RabbitMQ).</param>
/// <param name="DeadLetterErrorDescription">Application property <c>DeadLetterErrorDescription</c>, when present.</param>
/// <param name="DeliveryCount">Header delivery-count + 1 (RabbitMQ does not report it: then 1).</param>
/// <param name="EnqueuedTime"><c>x-opt-enqueued-time</c>, when the broker gives it (Service Bus does).</param>
/// <param name="SequenceNumber"><c>x-opt-sequence-number</c>, when present.</param>
/// <param name="ReceivedOn">When this reader received it.</param>
public sealed record ServiceBusDeadLetter(
    string QueueName,
    string Handle,
    string MessageId,
    ReadOnlyMemory<byte>? Body,
    string? DeadLetterReason,
    string? DeadLetterErrorDescription,
    long DeliveryCount,
    DateTimeOffset? EnqueuedTime,
    long? SequenceNumber,
    DateTimeOffset ReceivedOn)
{
    // Bodies are personal data: never printed.
    public override string ToString() =>
        $"ServiceBusDeadLetter {{ QueueName = {QueueName}, MessageId = {MessageId}, DeadLetterReason = {DeadLetterReason}, DeliveryCount = {DeliveryCount} }}";
}
