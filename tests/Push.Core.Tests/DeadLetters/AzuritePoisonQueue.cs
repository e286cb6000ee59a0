using System.Text;
using System.Text.Json;
using Azure;
using Azure.Storage.Queues;
using Push.Core.DeadLetters;

namespace Push.Core.Tests.DeadLetters;

/// <summary>
/// <see cref="IDeadLetterQueue"/> over real Azurite queues, mapping the host's dead-letter record the way the relay's
/// StoragePoisonQueue does. <see cref="FailingDeletes"/> makes the next deletes throw, to stand for a crash between
/// triage's write and its delete.
/// </summary>
internal sealed class AzuritePoisonQueue(string connectionString) : IDeadLetterQueue
{
    public int FailingDeletes { get; set; }

    public QueueClient Queue(string name) => new(connectionString, name);

    public static string PoisonOf(string queue) => queue + "-poison";

    public async Task<IReadOnlyList<DeadLetterEntry>> ReceiveAsync(string sourceQueue, int maxEntries, TimeSpan lease, CancellationToken cancellationToken)
    {
        var poison = Queue(PoisonOf(sourceQueue));
        var messages = (await poison.ReceiveMessagesAsync(maxEntries, lease, cancellationToken)).Value;
        return messages.Select(m =>
        {
            var text = m.Body.ToString();
            if (PoisonRecords.TryRead(text) is not { } record)
            {
                return new DeadLetterEntry(sourceQueue, m.MessageId, m.PopReceipt, m.MessageId, DeadLetterEntry.UnreadableReason,
                    null, 0, null, m.InsertedOn ?? default, null, null, text);
            }
            var original = Encoding.UTF8.GetString(Convert.FromBase64String(record.GetProperty("originalMessage").GetString()!));
            var buffer = new byte[original.Length];
            ReadOnlyMemory<byte>? body = Convert.TryFromBase64String(original, buffer, out var written) ? buffer.AsMemory(0, written) : null;
            return new DeadLetterEntry(sourceQueue, m.MessageId, m.PopReceipt, record.GetProperty("messageId").GetString()!,
                record.GetProperty("reason").GetString()!,
                record.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null,
                record.GetProperty("dequeueCount").GetInt64(), record.GetProperty("insertedOn").GetDateTimeOffset(),
                record.GetProperty("deadLetteredOn").GetDateTimeOffset(), original, body, text);
        }).ToList();
    }

    public async Task ReplayAsync(DeadLetterEntry entry, CancellationToken cancellationToken) =>
        await Queue(entry.SourceQueue).SendMessageAsync(entry.OriginalMessageText, cancellationToken);

    public async Task DeleteAsync(DeadLetterEntry entry, CancellationToken cancellationToken)
    {
        if (FailingDeletes > 0)
        {
            FailingDeletes--;
            throw new RequestFailedException(503, "injected: the process died before the delete");
        }
        await Queue(PoisonOf(entry.SourceQueue)).DeleteMessageAsync(entry.PoisonMessageId, entry.Receipt, cancellationToken);
    }

    public async Task HideAsync(DeadLetterEntry entry, TimeSpan delay, CancellationToken cancellationToken) =>
        await Queue(PoisonOf(entry.SourceQueue)).UpdateMessageAsync(entry.PoisonMessageId, entry.Receipt, visibilityTimeout: delay, cancellationToken: cancellationToken);
}
