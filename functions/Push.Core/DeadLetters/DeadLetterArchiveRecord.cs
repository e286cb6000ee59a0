namespace Push.Core.DeadLetters;

/// <summary>One archived dead letter: partition = source queue, row = <see cref="RowId"/>.</summary>
/// <param name="RowId">Stable per poison entry (message id + dead-letter time), so archiving it twice writes one row.</param>
/// <param name="Reason">The dead-letter reason as the relay or host wrote it.</param>
/// <param name="Detail">Why triage archived it when the reason does not say (e.g. <c>ReplayCapReached</c>, <c>RingTimeElapsed</c>, <c>Purged</c>).</param>
/// <param name="FirstAttemptAt">When the original message entered its queue.</param>
/// <param name="LastAttemptAt">When it was dead-lettered.</param>
/// <param name="Original">The original, in <paramref name="OriginalForm"/>; null when withheld. Personal data: never logged or printed by default.</param>
public sealed record DeadLetterArchiveRecord(
    string SourceQueue,
    string RowId,
    string MessageId,
    string Reason,
    string? Description,
    DeadLetterClass Class,
    string? Detail,
    string? TrackingId,
    string? EventType,
    DateTimeOffset? FirstAttemptAt,
    DateTimeOffset LastAttemptAt,
    long DequeueCount,
    int ReplayCount,
    DateTimeOffset ArchivedAt,
    ArchivedOriginalForm OriginalForm,
    byte[]? Original)
{
    /// <summary>Table storage's limit for one binary property.</summary>
    public const int MaxOriginalBytes = 64 * 1024;

    /// <summary>The row id of a poison entry: its original message id and the time it was dead-lettered.</summary>
    public static string RowIdOf(string messageId, DateTimeOffset deadLetteredOn) =>
        messageId + "-" + deadLetteredOn.UtcTicks.ToString("D19", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The archive row for <paramref name="entry"/>: device keys redacted, unreadable bytes kept raw (or withheld when they
    /// may hold a key).
    /// </summary>
    public static DeadLetterArchiveRecord From(DeadLetterEntry entry, DeadLetterAssessment assessment, string? detail,
        int replayCount, DateTimeOffset archivedAt)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(assessment);
        ArchivedOriginalForm form;
        byte[]? original;
        if (!entry.IsReadable)
        {
            var raw = System.Text.Encoding.UTF8.GetBytes(entry.RawText);
            (form, original) = DeadLetterRedaction.MayHoldKey(raw) ? (ArchivedOriginalForm.Withheld, null) : (ArchivedOriginalForm.RawEntry, raw);
        }
        else if (entry.OriginalBody is { } body && DeadLetterRedaction.RedactKeys(body) is { } redacted)
        {
            (form, original) = (ArchivedOriginalForm.RedactedBody, System.Text.Encoding.UTF8.GetBytes(redacted));
        }
        else
        {
            var text = System.Text.Encoding.UTF8.GetBytes(entry.OriginalMessageText!);
            (form, original) = entry.OriginalBody is null && DeadLetterRedaction.MayHoldKey(text)
                ? (ArchivedOriginalForm.Withheld, null)
                : (ArchivedOriginalForm.MessageText, text);
        }
        if (original is { Length: > MaxOriginalBytes })
        {
            // Cannot happen for a Storage message (64 KiB of text at most); refuse to store half of one.
            (form, original) = (ArchivedOriginalForm.Withheld, null);
        }
        return new DeadLetterArchiveRecord(entry.SourceQueue, RowIdOf(entry.MessageId, entry.DeadLetteredOn), entry.MessageId,
            entry.Reason.ToString(), entry.Description, assessment.Class, detail ?? assessment.Detail, assessment.TrackingId, assessment.EventType,
            entry.InsertedOn, entry.DeadLetteredOn, entry.DequeueCount, replayCount, archivedAt, form, original);
    }

    // The original is personal data: never printed.
    public override string ToString() =>
        $"DeadLetterArchiveRecord {{ SourceQueue = {SourceQueue}, RowId = {RowId}, Reason = {Reason}, Class = {Class}, TrackingId = {TrackingId} }}";
}
