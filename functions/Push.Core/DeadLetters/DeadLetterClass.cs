namespace Push.Core.DeadLetters;

/// <summary>What triage does with a dead-lettered message.</summary>
public enum DeadLetterClass
{
    /// <summary>A provider outage or network trouble: sent back to its queue after a cool-down.</summary>
    Transient,

    /// <summary>A bad event or a permanent rejection: archived, never replayed.</summary>
    Permanent,

    /// <summary>
    /// A <c>push.call.incoming</c> whose ring time has passed: archived as expired and never replayed, because a
    /// phone ringing for a call that is already over is worse than one that never rang.
    /// </summary>
    ExpiredCall,

    /// <summary>The entry (or the message in it) cannot be read: archived with its raw bytes, never interpreted.</summary>
    Corrupt,
}
