using System.Collections.Concurrent;
using Azure.Storage.Queues;
using Push.Core.DeadLetters;

namespace Push.Core.StorageQueues;

/// <summary>
/// Writing to the relay's Storage queues: a producer's event (the CLI, tests), a retry copy of a message with a visibility
/// delay, and a dead letter (the relay's reason row, then the message text unchanged on <c>&lt;queue&gt;-poison</c>, as the
/// Functions host puts its own poison messages). Queues are created on first use.
/// </summary>
public sealed class StorageEventQueues
{
    /// <summary>Storage keeps a message invisible for at most 7 days.</summary>
    public static readonly TimeSpan MaxVisibilityDelay = TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1);

    private readonly QueueServiceClient _service;
    private readonly DeadLetterArchive _archive;
    private readonly ConcurrentDictionary<string, Lazy<Task<QueueClient>>> _queues = new(StringComparer.Ordinal);

    public StorageEventQueues(QueueServiceClient service, StorageQueueHostSettings settings, DeadLetterArchive archive)
    {
        _service = service ?? throw new ArgumentNullException(nameof(service));
        Settings = settings ?? throw new ArgumentNullException(nameof(settings));
        _archive = archive ?? throw new ArgumentNullException(nameof(archive));
    }

    public StorageQueueHostSettings Settings { get; }

    /// <summary>
    /// The time-to-live of every message the relay itself sends (retry copies, dead letters, replays): never expire.
    /// A copy must outlive its visibility delay anyway, and no expiry marks it as the relay's: the pipeline reads the
    /// ledger for it even on its first dequeue (<see cref="ReceivedQueueMessage.IsFirstDelivery"/>). Producers keep
    /// Storage's default of 7 days; one that sends with no expiry only costs the relay a ledger read per event.
    /// </summary>
    public static readonly TimeSpan RelayCopyTimeToLive = TimeSpan.FromSeconds(-1);

    /// <summary>Storage reports a message sent with no expiry as expiring on 9999-12-31.</summary>
    public static bool NeverExpires(DateTimeOffset expiresOn) => expiresOn.Year >= 9999;

    /// <summary>The text a queue holds for <paramref name="body"/> under the host's <c>messageEncoding</c>.</summary>
    public string Encode(ReadOnlySpan<byte> body) => QueueMessageCodec.Encode(body, Settings.MessageEncoding);

    /// <summary>Publishes an event body as a producer does.</summary>
    public async Task<string> PublishAsync(string queue, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var client = await QueueAsync(queue, cancellationToken).ConfigureAwait(false);
        var receipt = await client.SendMessageAsync(Encode(body.Span), cancellationToken).ConfigureAwait(false);
        return receipt.Value.MessageId;
    }

    /// <summary>Sends <paramref name="messageText"/> unchanged to <paramref name="queue"/>, invisible for <paramref name="delay"/>.</summary>
    public async Task SendTextAsync(string queue, string messageText, TimeSpan delay, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messageText);
        var visibility = delay < TimeSpan.Zero ? TimeSpan.Zero : delay > MaxVisibilityDelay ? MaxVisibilityDelay : delay;
        var client = await QueueAsync(queue, cancellationToken).ConfigureAwait(false);
        await client.SendMessageAsync(messageText, visibility, RelayCopyTimeToLive, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Dead-letters <paramref name="messageText"/> from <paramref name="queue"/>: the reason row first, then the text
    /// unchanged on the poison queue, so triage never finds the entry without its reason. A crash in between leaves a
    /// reason with no entry (harmless) or, if the original is redelivered, a second entry with the same reason.
    /// </summary>
    public async Task DeadLetterAsync(string queue, string messageText, RecordedDeadLetterReason reason, CancellationToken cancellationToken)
    {
        await _archive.RecordReasonAsync(queue, messageText, reason, cancellationToken).ConfigureAwait(false);
        await SendTextAsync(PoisonQueueName.Of(queue), messageText, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
    }

    private async Task<QueueClient> QueueAsync(string name, CancellationToken cancellationToken)
    {
        var creation = _queues.GetOrAdd(name, n => new Lazy<Task<QueueClient>>(async () =>
        {
            var client = _service.GetQueueClient(n);
            // Outside any caller's cancellation: one cancelled send must not fail the others waiting on it.
            await client.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
            return client;
        }));
        try
        {
            return await creation.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch when (creation.Value.IsFaulted)
        {
            // Try again on the next call rather than remembering a failure (Storage may have been down for a moment).
            _queues.TryRemove(new KeyValuePair<string, Lazy<Task<QueueClient>>>(name, creation));
            throw;
        }
    }
}
