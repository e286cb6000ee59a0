namespace Push.Hosting.Queues;

/// <summary>What the host does with a message once its function has returned.</summary>
public abstract record QueueSettlement
{
    private QueueSettlement()
    {
    }

    /// <summary>The message is done: it is deleted.</summary>
    public static QueueSettlement Complete { get; } = new CompleteSettlement();

    /// <summary>
    /// Redeliver after <paramref name="delay"/> (the caller computes back-off or a provider's Retry-After). A message
    /// already at <c>maxDequeueCount</c> is poisoned instead, with reason <c>MaxDequeueCountExceeded</c>.
    /// </summary>
    /// <param name="delay">0 to 7 days (Storage's visibility limit).</param>
    /// <param name="reason">A short, fixed reason (no message content): it is logged and recorded.</param>
    public static QueueSettlement Retry(TimeSpan delay, string reason)
    {
        if (delay < TimeSpan.Zero || delay > QueueTriggerOptions.MaxVisibility)
        {
            throw new ArgumentOutOfRangeException(nameof(delay), delay, "a retry delay must be 0 to 7 days");
        }
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new RetrySettlement(delay, reason);
    }

    /// <summary>Poison the message at once: it is never retried.</summary>
    /// <param name="reason">A short, fixed reason, e.g. "MalformedEvent"; used as a metric tag, so keep the set small.</param>
    /// <param name="description">What was wrong, without message content (it is stored in the dead-letter record).</param>
    public static QueueSettlement DeadLetter(string reason, string description)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new DeadLetterSettlement(reason, description ?? string.Empty);
    }

    /// <summary>See <see cref="Complete"/>.</summary>
    public sealed record CompleteSettlement : QueueSettlement;

    /// <summary>See <see cref="Retry"/>.</summary>
    public sealed record RetrySettlement(TimeSpan Delay, string Reason) : QueueSettlement;

    /// <summary>See <see cref="DeadLetter"/>.</summary>
    public sealed record DeadLetterSettlement(string Reason, string Description) : QueueSettlement;
}
