namespace Push.Testing.ServiceBus;

/// <summary>Where a message sits in a queue, as the broker sees it.</summary>
public enum BrokerMessageState
{
    /// <summary>Available to a receiver.</summary>
    Active,

    /// <summary>Peek-locked by a receiver until <see cref="BrokerMessage.LockedUntil"/>.</summary>
    Locked,

    /// <summary>Set aside by defer; only a receive by sequence number gets it.</summary>
    Deferred,

    /// <summary>Enqueued for <see cref="BrokerMessage.ScheduledEnqueueTime"/>; not visible to receivers before then.</summary>
    Scheduled,
}

/// <summary>A broker-side snapshot of one message.</summary>
public sealed record BrokerMessage(
    long SequenceNumber,
    string? MessageId,
    BrokerMessageState State,
    bool InDeadLetterQueue,
    int DeliveryCount,
    DateTimeOffset EnqueuedTime,
    DateTimeOffset? ScheduledEnqueueTime,
    DateTimeOffset? LockedUntil,
    Guid? LockToken,
    byte[] Body,
    IReadOnlyDictionary<string, object?> ApplicationProperties)
{
    /// <summary>The <c>DeadLetterReason</c> application property, as Service Bus sets it on a dead-lettered message.</summary>
    public string? DeadLetterReason => ApplicationProperties.GetValueOrDefault("DeadLetterReason") as string;

    /// <summary>The <c>DeadLetterErrorDescription</c> application property.</summary>
    public string? DeadLetterErrorDescription => ApplicationProperties.GetValueOrDefault("DeadLetterErrorDescription") as string;
}

/// <summary>Counts per state for one queue and its dead-letter subqueue.</summary>
public sealed record QueueCounts(int Active, int Locked, int Deferred, int Scheduled, int DeadLettered)
{
    /// <summary>Messages still in the queue itself (every state but dead-lettered).</summary>
    public int InQueue => Active + Locked + Deferred + Scheduled;
}

/// <summary>What happened to a locked (or received-and-deleted) message.</summary>
public enum SettlementKind
{
    /// <summary><c>accepted</c> on the link, or <c>completed</c> through management: the message is gone.</summary>
    Completed,

    /// <summary><c>modified</c>: the message is available again and its delivery counts.</summary>
    Abandoned,

    /// <summary><c>modified</c> with <c>undeliverable-here</c>, or <c>defered</c> through management.</summary>
    Deferred,

    /// <summary><c>rejected</c> with <c>com.microsoft:dead-letter</c>, <c>suspended</c> through management, or the broker at max delivery count.</summary>
    DeadLettered,

    /// <summary>Delivered pre-settled on a receive-and-delete link: gone on delivery.</summary>
    ReceivedAndDeleted,

    /// <summary>The lock ran out before the receiver settled or renewed it.</summary>
    LockExpired,

    /// <summary>The receiver's connection went away while it held the lock.</summary>
    LockReleased,
}

/// <summary>Which path a settlement came in on.</summary>
public enum SettlementSource
{
    /// <summary>A disposition on the receive link.</summary>
    ReceiveLink,

    /// <summary><c>com.microsoft:update-disposition</c> (or receive-by-sequence-number in receive-and-delete mode) on <c>$management</c>.</summary>
    Management,

    /// <summary>The broker itself: lock expiry, connection loss, max delivery count.</summary>
    Broker,
}

/// <summary>
/// One entry of the settlement log. <see cref="LockLost"/> marks a settlement the broker refused because the lock was
/// gone (the SDK then raises <c>MessageLockLost</c>); such an entry changed nothing.
/// </summary>
public sealed record Settlement(
    string Queue,
    bool FromDeadLetterQueue,
    long SequenceNumber,
    string? MessageId,
    SettlementKind Kind,
    SettlementSource Source,
    int DeliveryCount,
    string? DeadLetterReason,
    string? DeadLetterErrorDescription,
    bool LockLost,
    DateTimeOffset At);

/// <summary>
/// One CBS <c>put-token</c>. The token itself is never kept: <see cref="TokenHash"/> is a short SHA-256 prefix so a
/// test can tell tokens apart without a secret landing in its output.
/// </summary>
public sealed record PutTokenRecord(
    string TokenType,
    string Audience,
    DateTimeOffset? ExpiresAt,
    bool Valid,
    string? Refusal,
    string TokenHash,
    DateTimeOffset At);

/// <summary>One <c>$management</c> request and the broker's status code.</summary>
public sealed record ManagementRecord(string Queue, bool DeadLetterQueue, string Operation, int StatusCode, DateTimeOffset At);

/// <summary>A send the broker accepted and dropped because its message id was seen within the duplicate-detection window.</summary>
public sealed record DroppedDuplicate(string Queue, string MessageId, DateTimeOffset At);
