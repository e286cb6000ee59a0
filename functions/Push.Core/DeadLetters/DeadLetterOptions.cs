namespace Push.Core.DeadLetters;

/// <summary>Dead-letter triage. Section "DeadLetters".</summary>
public sealed class DeadLetterOptions
{
    public const string SectionName = "DeadLetters";

    /// <summary>The archive table (3-63 letters and digits, starting with a letter). Default "deadletters".</summary>
    public string ArchiveTable { get; set; } = "deadletters";

    /// <summary>
    /// How long after it was dead-lettered a transient entry waits before it is replayed, so an outage has time to end.
    /// Default 5 minutes; 0 to 7 days.
    /// </summary>
    public TimeSpan ReplayCoolDown { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often one message is replayed before it is archived as permanent (<c>ReplayCapReached</c>). Default 3; 0 to 100.</summary>
    public int MaxReplays { get; set; } = 3;

    /// <summary>Entries taken per poison queue and run (1 to 32 per receive, read until the queue is empty or this is reached). Default 256.</summary>
    public int MaxEntriesPerRun { get; set; } = 256;

    /// <summary>How long a received entry stays invisible to other instances while it is triaged. Default 2 minutes.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);
}
