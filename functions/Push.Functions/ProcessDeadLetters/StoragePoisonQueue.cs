using Push.Core.DeadLetters;
using Push.Hosting.DeadLetters;

namespace Push.Functions.ProcessDeadLetters;

/// <summary>Triage's view of the Storage poison queues, over the host's <see cref="PoisonQueueClient"/>.</summary>
public sealed class StoragePoisonQueue(PoisonQueueClient client) : IDeadLetterQueue
{
    public async Task<IReadOnlyList<DeadLetterEntry>> ReceiveAsync(string sourceQueue, int maxEntries, TimeSpan lease, CancellationToken cancellationToken)
    {
        var received = await client.ReceiveAsync(sourceQueue, Math.Min(maxEntries, PoisonQueueClient.MaxBatch), lease, cancellationToken).ConfigureAwait(false);
        return received.Select(ToEntry).ToList();
    }

    public Task ReplayAsync(DeadLetterEntry entry, CancellationToken cancellationToken) =>
        client.ReplayAsync(entry.SourceQueue, entry.OriginalMessageText ?? throw new InvalidOperationException("an unreadable entry cannot be replayed"), cancellationToken);

    public Task DeleteAsync(DeadLetterEntry entry, CancellationToken cancellationToken) =>
        client.DeleteAsync(entry.SourceQueue, entry.PoisonMessageId, entry.Receipt, cancellationToken);

    public Task HideAsync(DeadLetterEntry entry, TimeSpan delay, CancellationToken cancellationToken) =>
        client.HideAsync(entry.SourceQueue, entry.PoisonMessageId, entry.Receipt, delay, cancellationToken);

    /// <summary>The transport-free entry triage works on.</summary>
    public static DeadLetterEntry ToEntry(PoisonQueueEntry poison)
    {
        ArgumentNullException.ThrowIfNull(poison);
        if (poison.Record is not { } record)
        {
            return new DeadLetterEntry(poison.SourceQueue, poison.MessageId, poison.PopReceipt, poison.MessageId,
                DeadLetterEntry.UnreadableReason, null, 0, null, poison.InsertedOn, null, null, poison.MessageText);
        }
        var body = record.TryGetOriginalBody();
        return new DeadLetterEntry(poison.SourceQueue, poison.MessageId, poison.PopReceipt, record.MessageId, record.Reason,
            record.Description, record.DequeueCount, record.InsertedOn, record.DeadLetteredOn, record.GetOriginalMessageText(),
            // The cast keeps "never decoded" as null: a bare null here would become an empty body through byte[].
            body is null ? (ReadOnlyMemory<byte>?)null : body.ToMemory(), poison.MessageText);
    }
}
