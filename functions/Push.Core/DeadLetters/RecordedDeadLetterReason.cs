namespace Push.Core.DeadLetters;

/// <summary>What the relay recorded when it put a message on a Storage poison queue itself.</summary>
/// <param name="Description">What was wrong, without message content.</param>
/// <param name="MessageId">The original message's id in its source queue.</param>
/// <param name="DequeueCount">The delivery that gave up (1 for a bad event).</param>
/// <param name="InsertedOn">When the original entered its queue.</param>
public sealed record RecordedDeadLetterReason(
    DeadLetterReason Reason,
    string Description,
    string MessageId,
    long DequeueCount,
    DateTimeOffset? InsertedOn,
    DateTimeOffset DeadLetteredOn);
