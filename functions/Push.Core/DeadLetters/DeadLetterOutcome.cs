namespace Push.Core.DeadLetters;

/// <summary>What triage did with one entry.</summary>
public enum DeadLetterOutcome
{
    /// <summary>The original was sent back to its queue and the entry removed.</summary>
    Replayed,

    /// <summary>Archived and removed.</summary>
    Archived,

    /// <summary>Left in the poison queue, invisible until its cool-down ends.</summary>
    Deferred,

    /// <summary>Something failed; the entry stays and comes back when its lease ends.</summary>
    Failed,
}
