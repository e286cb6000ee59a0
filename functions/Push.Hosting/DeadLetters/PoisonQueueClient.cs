using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Push.Hosting.Queues;

namespace Push.Hosting.DeadLetters;

/// <summary>
/// Reads and settles poison queues (<c>&lt;queue&gt;-poison</c>) for triage and for the operator's CLI: leased receives,
/// replay of the original text to the source queue, delete, and hide. Knows Storage queues and the host's
/// <see cref="DeadLetterRecord"/>, no domain type.
/// </summary>
public sealed class PoisonQueueClient
{
    /// <summary>Storage returns at most 32 messages per receive.</summary>
    public const int MaxBatch = 32;

    private readonly QueueServiceClient _service;

    public PoisonQueueClient(QueueServiceClient service) => _service = service ?? throw new ArgumentNullException(nameof(service));

    /// <summary>From the Functions storage setting, with the relay's client options.</summary>
    public PoisonQueueClient(StorageQueueConnection connection) : this((connection ?? throw new ArgumentNullException(nameof(connection))).CreateServiceClient())
    {
    }

    /// <summary>
    /// Up to <paramref name="maxMessages"/> (1..32) entries, invisible to others for <paramref name="lease"/>. A missing poison
    /// queue has no entries. An unreadable entry comes back with a null <see cref="PoisonQueueEntry.Record"/>, never an exception.
    /// </summary>
    public async Task<IReadOnlyList<PoisonQueueEntry>> ReceiveAsync(string sourceQueue, int maxMessages, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sourceQueue);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxMessages, MaxBatch);
        var poison = _service.GetQueueClient(PoisonQueueEntry.PoisonQueueOf(sourceQueue));
        QueueMessage[] messages;
        try
        {
            messages = (await poison.ReceiveMessagesAsync(maxMessages, lease, cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return [];
        }
        var entries = new List<PoisonQueueEntry>(messages.Length);
        foreach (var message in messages)
        {
            var text = message.Body.ToString();
            entries.Add(new PoisonQueueEntry(sourceQueue, message.MessageId, message.PopReceipt,
                message.InsertedOn ?? DateTimeOffset.UnixEpoch, text, TryRead(text)));
        }
        return entries;
    }

    /// <summary>
    /// Sends the original message text, unchanged, to <paramref name="sourceQueue"/> (the queue whose poison queue held it,
    /// not whatever the record claims).
    /// </summary>
    public async Task ReplayAsync(string sourceQueue, string originalMessageText, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sourceQueue);
        ArgumentNullException.ThrowIfNull(originalMessageText);
        await _service.GetQueueClient(sourceQueue).SendMessageAsync(originalMessageText, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes a poison entry. Already gone (another instance settled it) counts as done.</summary>
    public async Task DeleteAsync(string sourceQueue, string messageId, string popReceipt, CancellationToken cancellationToken)
    {
        try
        {
            await Poison(sourceQueue).DeleteMessageAsync(messageId, popReceipt, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }
    }

    /// <summary>Keeps a poison entry, invisible for <paramref name="delay"/> (0 makes it visible again at once).</summary>
    public async Task HideAsync(string sourceQueue, string messageId, string popReceipt, TimeSpan delay, CancellationToken cancellationToken)
    {
        var capped = delay > QueueTriggerOptions.MaxVisibility ? QueueTriggerOptions.MaxVisibility : delay < TimeSpan.Zero ? TimeSpan.Zero : delay;
        await Poison(sourceQueue).UpdateMessageAsync(messageId, popReceipt, visibilityTimeout: capped, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private QueueClient Poison(string sourceQueue) => _service.GetQueueClient(PoisonQueueEntry.PoisonQueueOf(sourceQueue));

    private static DeadLetterRecord? TryRead(string text)
    {
        try
        {
            var record = DeadLetterRecordSerializer.FromMessageText(text);
            // The original must itself be base64 of its text, or the record is as good as unreadable.
            _ = record.GetOriginalMessageText();
            return record;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            return null;
        }
    }
}
