using Push.Core.DeadLetters;
using Push.Hosting.DeadLetters;

namespace Push.Cli.DeadLetters;

/// <summary>
/// The poison queues for <c>push dlq</c>: the host's <see cref="PoisonQueueClient"/> seen as triage's
/// <see cref="IDeadLetterQueue"/> (the same mapping as the relay's StoragePoisonQueue, which the CLI does not reference).
/// </summary>
internal sealed class CliPoisonQueue(PoisonQueueClient client) : IDeadLetterQueue
{
    public async Task<IReadOnlyList<DeadLetterEntry>> ReceiveAsync(string sourceQueue, int maxEntries, TimeSpan lease, CancellationToken cancellationToken)
    {
        var received = await client.ReceiveAsync(sourceQueue, Math.Min(maxEntries, PoisonQueueClient.MaxBatch), lease, cancellationToken);
        return received.Select(ToEntry).ToList();
    }

    public Task ReplayAsync(DeadLetterEntry entry, CancellationToken cancellationToken) =>
        client.ReplayAsync(entry.SourceQueue, entry.OriginalMessageText ?? throw new InvalidOperationException("an unreadable entry cannot be replayed"), cancellationToken);

    public Task DeleteAsync(DeadLetterEntry entry, CancellationToken cancellationToken) =>
        client.DeleteAsync(entry.SourceQueue, entry.PoisonMessageId, entry.Receipt, cancellationToken);

    public Task HideAsync(DeadLetterEntry entry, TimeSpan delay, CancellationToken cancellationToken) =>
        client.HideAsync(entry.SourceQueue, entry.PoisonMessageId, entry.Receipt, delay, cancellationToken);

    private static DeadLetterEntry ToEntry(PoisonQueueEntry poison)
    {
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
