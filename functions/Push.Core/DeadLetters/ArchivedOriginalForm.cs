namespace Push.Core.DeadLetters;

/// <summary>How the archived copy of the original relates to what the queue held.</summary>
public enum ArchivedOriginalForm
{
    /// <summary>The original queue text, byte for byte: it could be sent back as it is.</summary>
    MessageText,

    /// <summary>The decoded event JSON with its device key replaced: kept for inspection, never replayable.</summary>
    RedactedBody,

    /// <summary>The poison entry's raw text, which could not be read: kept, never interpreted.</summary>
    RawEntry,

    /// <summary>Not kept: unreadable bytes that may hold a device key.</summary>
    Withheld,
}
