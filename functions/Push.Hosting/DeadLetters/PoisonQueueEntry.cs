using Push.Hosting.Queues;

namespace Push.Hosting.DeadLetters;

/// <summary>
/// One message received from a <c>&lt;queue&gt;-poison</c> queue, leased. <see cref="Record"/> is null when the text is
/// not a dead-letter record this build can read; the text is then all there is (<see cref="MessageText"/>).
/// </summary>
/// <param name="SourceQueue">The queue the poison queue belongs to.</param>
/// <param name="MessageId">The poison message's id.</param>
/// <param name="PopReceipt">The current lease's receipt, for delete and visibility updates.</param>
/// <param name="InsertedOn">When the poison message was written (stable: it identifies an unreadable entry).</param>
public sealed record PoisonQueueEntry(
    string SourceQueue,
    string MessageId,
    string PopReceipt,
    DateTimeOffset InsertedOn,
    string MessageText,
    DeadLetterRecord? Record)
{
    /// <summary>The poison queue's name for a source queue.</summary>
    public static string PoisonQueueOf(string sourceQueue) => sourceQueue + "-poison";

    // The text holds the original message: never printed.
    public override string ToString() => $"PoisonQueueEntry {{ SourceQueue = {SourceQueue}, MessageId = {MessageId}, Readable = {Record is not null} }}";
}
