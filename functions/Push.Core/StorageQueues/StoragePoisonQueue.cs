using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Push.Core.DeadLetters;

namespace Push.Core.StorageQueues;

/// <summary>
/// The Storage poison queues (<c>&lt;queue&gt;-poison</c>) as triage and <c>push dlq</c> see them. Every entry is an original
/// message text, put there by the Functions host (after <c>maxDequeueCount</c> failed deliveries, or undecodable) or by the
/// relay's own settlement, which recorded its reason in the archive table first. So an entry's reason is the recorded one;
/// without one it is <see cref="DeadLetterReason.UndecodableMessage"/> when the text does not decode, and otherwise
/// <see cref="DeadLetterReason.MaxDequeueCountExceeded"/> (triage then looks for the last failure in the ledger).
/// </summary>
public sealed class StoragePoisonQueue : IDeadLetterQueue
{
    /// <summary>Storage returns at most 32 messages per receive.</summary>
    public const int MaxBatch = 32;

    private readonly QueueServiceClient _service;
    private readonly StorageQueueHostSettings _settings;
    private readonly DeadLetterArchive _archive;

    public StoragePoisonQueue(QueueServiceClient service, StorageQueueHostSettings settings, DeadLetterArchive archive)
    {
        _service = service ?? throw new ArgumentNullException(nameof(service));
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        _archive = archive ?? throw new ArgumentNullException(nameof(archive));
    }

    public async Task<IReadOnlyList<DeadLetterEntry>> ReceiveAsync(string sourceQueue, int maxEntries, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sourceQueue);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);
        QueueMessage[] messages;
        try
        {
            messages = (await Poison(sourceQueue).ReceiveMessagesAsync(Math.Min(maxEntries, MaxBatch), lease, cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return []; // No poison queue yet: nothing was ever dead-lettered there.
        }
        var entries = new List<DeadLetterEntry>(messages.Length);
        foreach (var message in messages)
        {
            entries.Add(await ToEntryAsync(sourceQueue, message, cancellationToken).ConfigureAwait(false));
        }
        return entries;
    }

    public async Task ReplayAsync(DeadLetterEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var text = entry.OriginalMessageText ?? throw new InvalidOperationException("an unreadable entry cannot be replayed");
        // The queue whose poison queue held it, not whatever the event claims; the text exactly as it was.
        // With no expiry, as every copy the relay sends: the replay reads the ledger, so delivered devices are not pushed again.
        await _service.GetQueueClient(entry.SourceQueue).SendMessageAsync(text, visibilityTimeout: null, StorageEventQueues.RelayCopyTimeToLive,
            cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteAsync(DeadLetterEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        try
        {
            await Poison(entry.SourceQueue).DeleteMessageAsync(entry.PoisonMessageId, entry.Receipt, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Already gone: another instance settled it.
        }
        if (entry.OriginalMessageText is { } text)
        {
            await _archive.DeleteReasonAsync(entry.SourceQueue, text, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task HideAsync(DeadLetterEntry entry, TimeSpan delay, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var capped = delay > StorageEventQueues.MaxVisibilityDelay ? StorageEventQueues.MaxVisibilityDelay : delay < TimeSpan.Zero ? TimeSpan.Zero : delay;
        await Poison(entry.SourceQueue).UpdateMessageAsync(entry.PoisonMessageId, entry.Receipt, visibilityTimeout: capped,
            cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private QueueClient Poison(string sourceQueue) => _service.GetQueueClient(PoisonQueueName.Of(sourceQueue));

    private async Task<DeadLetterEntry> ToEntryAsync(string sourceQueue, QueueMessage message, CancellationToken cancellationToken)
    {
        var text = message.MessageText;
        var poisonedOn = message.InsertedOn ?? DateTimeOffset.UnixEpoch;
        var decodes = QueueMessageCodec.TryDecode(text, _settings.MessageEncoding, out var body);
        ReadOnlyMemory<byte>? original = decodes ? body.ToMemory() : (ReadOnlyMemory<byte>?)null;
        if (await _archive.FindReasonAsync(sourceQueue, text, cancellationToken).ConfigureAwait(false) is { } recorded)
        {
            return new DeadLetterEntry(sourceQueue, message.MessageId, message.PopReceipt, recorded.MessageId, recorded.Reason,
                recorded.Description, recorded.DequeueCount, recorded.InsertedOn, recorded.DeadLetteredOn, text, original, text);
        }
        // The host's copy has a new message id; the original's is not known any more.
        var reason = decodes ? DeadLetterReason.MaxDequeueCountExceeded : DeadLetterReason.UndecodableMessage;
        var dequeueCount = decodes ? _settings.MaxDequeueCount : 1;
        return new DeadLetterEntry(sourceQueue, message.MessageId, message.PopReceipt, message.MessageId, reason,
            null, dequeueCount, null, poisonedOn, text, original, text);
    }
}
