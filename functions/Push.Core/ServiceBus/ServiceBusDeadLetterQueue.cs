using System.Collections.Concurrent;
using System.Globalization;
using Azure.Messaging.ServiceBus;
using Push.Core.DeadLetters;

namespace Push.Core.ServiceBus;

/// <summary>
/// The Service Bus dead-letter subqueues (<c>&lt;queue&gt;/$DeadLetterQueue</c>) as triage and <c>push dlq</c> see them,
/// with the SDK: peek-lock receives, a replay sent with a message id of its own (duplicate detection would drop the
/// original's), complete once the replay or archive row is written.
/// </summary>
/// <remarks>
/// An entry's lease is the broker's lock (the queue's lock duration; it cannot be chosen per receive). Hiding an entry for
/// its cool-down keeps the lock until it lapses, so the entry is back for the next run; hiding it for zero gives it back
/// at once. Reason and description are the <c>DeadLetterReason</c> / <c>DeadLetterErrorDescription</c> that the relay's
/// settlement or Service Bus itself (<c>MaxDeliveryCountExceeded</c>, <c>TTLExpiredException</c>) wrote.
/// </remarks>
public sealed class ServiceBusDeadLetterQueue(ServiceBusClient client, TimeProvider time) : IDeadLetterQueue, IAsyncDisposable
{
    private static readonly TimeSpan ReceiveWait = TimeSpan.FromSeconds(1);

    private readonly ServiceBusSenders _senders = new(client);
    private readonly ConcurrentDictionary<string, ServiceBusReceiver> _receivers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ServiceBusReceivedMessage> _held = new(StringComparer.Ordinal);

    public async Task<IReadOnlyList<DeadLetterEntry>> ReceiveAsync(string sourceQueue, int maxEntries, TimeSpan lease, CancellationToken cancellationToken)
    {
        var receiver = _receivers.GetOrAdd(sourceQueue, q => client.CreateReceiver(q, new ServiceBusReceiverOptions
        {
            SubQueue = SubQueue.DeadLetter,
            ReceiveMode = ServiceBusReceiveMode.PeekLock,
        }));
        ForgetLapsedLocks();
        var messages = await receiver.ReceiveMessagesAsync(maxEntries, ReceiveWait, cancellationToken).ConfigureAwait(false);
        var entries = new List<DeadLetterEntry>(messages.Count);
        foreach (var message in messages)
        {
            _held[message.LockToken] = message;
            entries.Add(ToEntry(sourceQueue, message, time.GetUtcNow()));
        }
        return entries;
    }

    /// <summary>On a replayed dead letter: the id of the message it replays (so the pipeline reads the ledger for it).</summary>
    public const string ReplayOfProperty = "push-replay-of";

    public Task ReplayAsync(DeadLetterEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var held = Held(entry);
        var replay = new ServiceBusMessage(held.Body)
        {
            MessageId = Guid.NewGuid().ToString(),
            ContentType = held.ContentType,
            CorrelationId = held.CorrelationId,
        };
        replay.ApplicationProperties[ReplayOfProperty] = held.MessageId;
        return _senders.For(entry.SourceQueue).SendMessageAsync(replay, cancellationToken);
    }

    public async Task DeleteAsync(DeadLetterEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await Receiver(entry).CompleteMessageAsync(Held(entry), cancellationToken).ConfigureAwait(false);
        _held.TryRemove(entry.Receipt, out _);
    }

    public async Task HideAsync(DeadLetterEntry entry, TimeSpan delay, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (delay > TimeSpan.Zero) return; // Held until the lock lapses: back for the next run, not this one.
        await Receiver(entry).AbandonMessageAsync(Held(entry), cancellationToken: cancellationToken).ConfigureAwait(false);
        _held.TryRemove(entry.Receipt, out _);
    }

    // An entry hidden for its cool-down is held until its lock lapses; then the broker gives it to the next receive
    // under a new lock token, and the old one is only memory.
    private void ForgetLapsedLocks()
    {
        var now = time.GetUtcNow();
        foreach (var (token, message) in _held)
        {
            if (message.LockedUntil <= now) _held.TryRemove(token, out _);
        }
    }

    /// <summary>The transport-free entry triage works on.</summary>
    public static DeadLetterEntry ToEntry(string sourceQueue, ServiceBusReceivedMessage message, DateTimeOffset receivedOn)
    {
        ArgumentNullException.ThrowIfNull(message);
        var body = message.Body.ToMemory();
        // The replay counter's key: the body, in a stable text form.
        var text = Convert.ToBase64String(body.Span);
        var deadLetteredOn = message.ApplicationProperties.TryGetValue(ServiceBusSettlement.DeadLetteredAtProperty, out var at)
            ? at switch
            {
                DateTimeOffset written => written,
                DateTime written => new DateTimeOffset(DateTime.SpecifyKind(written, DateTimeKind.Utc)),
                _ => message.EnqueuedTime,
            }
            : message.EnqueuedTime == default ? receivedOn : message.EnqueuedTime;
        return new DeadLetterEntry(sourceQueue, message.SequenceNumber.ToString(CultureInfo.InvariantCulture), message.LockToken, message.MessageId,
            DeadLetterReason.Parse(message.DeadLetterReason), message.DeadLetterErrorDescription, message.DeliveryCount,
            message.EnqueuedTime == default ? null : message.EnqueuedTime, deadLetteredOn, text, body, text);
    }

    private ServiceBusReceivedMessage Held(DeadLetterEntry entry) =>
        _held.TryGetValue(entry.Receipt, out var message)
            ? message
            : throw new InvalidOperationException($"dead letter {entry.MessageId} is not held by this reader (its lock was given back)");

    private ServiceBusReceiver Receiver(DeadLetterEntry entry) =>
        _receivers.TryGetValue(entry.SourceQueue, out var receiver)
            ? receiver
            : throw new InvalidOperationException($"no dead-letter receiver for {entry.SourceQueue}");

    public async ValueTask DisposeAsync()
    {
        foreach (var receiver in _receivers.Values) await receiver.DisposeAsync().ConfigureAwait(false);
        _receivers.Clear();
        _held.Clear();
        await _senders.DisposeAsync().ConfigureAwait(false);
    }
}
