namespace Push.Core.DeadLetters;

/// <summary>
/// One poison-queue entry, free of any transport type: what the host's dead-letter record said, and the original
/// message. Built by the transport (see <see cref="IDeadLetterQueue"/>); <see cref="PoisonMessageId"/> and
/// <see cref="Receipt"/> are the transport's handle for deleting or hiding it.
/// </summary>
/// <param name="SourceQueue">The queue the original message came from (the replay target).</param>
/// <param name="PoisonMessageId">The entry's id in the poison queue.</param>
/// <param name="Receipt">The transport's proof of the current lease (a pop receipt).</param>
/// <param name="MessageId">The original message's id in <paramref name="SourceQueue"/>, or the poison id when the entry is unreadable.</param>
/// <param name="Reason">Why it was dead-lettered, as the relay recorded it or as the transport implies it.</param>
/// <param name="OriginalMessageText">The original queue text, exactly as the queue held it; null when the entry is unreadable.</param>
/// <param name="OriginalBody">The original body decoded per the queue's encoding; null when it never decoded.</param>
/// <param name="RawText">The poison entry's own text, kept for archiving a corrupt entry as it was.</param>
public sealed record DeadLetterEntry(
    string SourceQueue,
    string PoisonMessageId,
    string Receipt,
    string MessageId,
    DeadLetterReason Reason,
    string? Description,
    long DequeueCount,
    DateTimeOffset? InsertedOn,
    DateTimeOffset DeadLetteredOn,
    string? OriginalMessageText,
    ReadOnlyMemory<byte>? OriginalBody,
    string RawText)
{
    /// <summary>Whether the dead-letter record was read (false: only <see cref="RawText"/> is known).</summary>
    public bool IsReadable => OriginalMessageText is not null;

    // Bodies are personal data: never printed.
    public override string ToString() =>
        $"DeadLetterEntry {{ SourceQueue = {SourceQueue}, MessageId = {MessageId}, Reason = {Reason}, DequeueCount = {DequeueCount} }}";
}
