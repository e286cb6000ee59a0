using System.Collections.Concurrent;
using Amqp;
using Amqp.Framing;
using Amqp.Types;
using Microsoft.Extensions.Configuration;
using Push.Hosting.Configuration;

namespace Push.Hosting.ServiceBus;

/// <summary>
/// Reads a queue's dead letters over AMQP 1.0 with peek-lock: <c>&lt;queue&gt;/$DeadLetterQueue</c> on Service Bus,
/// <c>/amq/queue/&lt;queue&gt;-poison</c> on RabbitMQ (<see cref="ServiceBusAddresses.DeadLetterQueue"/>). Each received
/// message stays held (unsettled) by this reader until it is completed (removed), abandoned (given back at once) or
/// its hold ends; <see cref="ResendAsync"/> sends an original back to its source queue (with a replay message-id of its own).
/// </summary>
/// <remarks>
/// A hold is not a lease of a chosen length: Service Bus keeps the lock for the queue's lock duration (no renewal here),
/// RabbitMQ until the link closes. A message given back by either (lock expiry, lost connection, <see cref="DisposeAsync"/>)
/// is simply received again later; settling it through its old handle then fails with <see cref="InvalidOperationException"/>.
/// One connection (opened on first use, replaced when lost) and one receiver link per queue; credit is issued per
/// <see cref="ReceiveAsync"/> only, so nothing is locked by the reader while no one asked for it.
/// </remarks>
public sealed class ServiceBusDeadLetterReader : IAsyncDisposable
{
    /// <summary>How long <see cref="ReceiveAsync"/> waits for a first message before it reports the dead-letter queue empty.</summary>
    public static readonly TimeSpan DefaultFirstMessageWait = TimeSpan.FromSeconds(1);

    /// <summary>After a message, how long to wait for the next before the batch is returned.</summary>
    private static readonly TimeSpan NextMessageWait = TimeSpan.FromMilliseconds(100);

    private static readonly TimeSpan AttachTimeout = TimeSpan.FromSeconds(30);

    private readonly ServiceBusConnectionString _connection;
    private readonly ServiceBusTriggerOptions _options;
    private readonly TimeProvider _time;
    private readonly TimeSpan _firstMessageWait;
    private readonly ServiceBusEventPublisher _publisher;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, ReceiverLink> _links = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, HeldMessage> _held = new(StringComparer.Ordinal);
    private ServiceBusAmqpConnection? _current;

    public ServiceBusDeadLetterReader(ServiceBusConnectionString connection, ServiceBusAuthMode authMode = ServiceBusAuthMode.Cbs,
        ServiceBusBroker broker = ServiceBusBroker.ServiceBus, TimeProvider? time = null, TimeSpan? firstMessageWait = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connection = connection;
        _options = new ServiceBusTriggerOptions { AuthMode = authMode, Broker = broker };
        _time = time ?? TimeProvider.System;
        _firstMessageWait = firstMessageWait ?? DefaultFirstMessageWait;
        _publisher = new ServiceBusEventPublisher(connection, authMode, broker, _time);
    }

    /// <summary>The peer the reader talks to (RabbitMQ keeps no dead-letter reason).</summary>
    public ServiceBusBroker Broker => _options.Broker;

    /// <summary>How many received messages this reader currently holds unsettled.</summary>
    public int HeldCount => _held.Count;

    /// <summary>
    /// A reader with the relay's own settings (<c>ServiceBusConnection</c> and host.json <c>extensions.serviceBus</c>
    /// authMode / broker). Throws <see cref="InvalidOperationException"/> naming the bad setting.
    /// </summary>
    public static ServiceBusDeadLetterReader FromConfiguration(IConfiguration configuration, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var reader = new SettingReader();
        var options = ServiceBusTriggerOptions.Read(configuration, Environment.ProcessorCount, reader);
        if (reader.Errors.Count > 0)
        {
            throw new InvalidOperationException(string.Join(" ", reader.Errors));
        }
        return new ServiceBusDeadLetterReader(ServiceBusConnectionString.Read(configuration), options.AuthMode, options.Broker, time);
    }

    /// <summary>
    /// Takes up to <paramref name="maxMessages"/> dead letters of <paramref name="queueName"/>, each held by this reader
    /// until settled. An empty list means none arrived within the first-message wait. Holds whose time has come are
    /// given back first.
    /// </summary>
    public async Task<IReadOnlyList<ServiceBusDeadLetter>> ReceiveAsync(string queueName, int maxMessages, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(queueName);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ReleaseDueHolds();
            var link = await LinkAsync(queueName, cancellationToken);
            var received = new List<ServiceBusDeadLetter>();
            try
            {
                link.SetCredit(maxMessages, autoRestore: false);
                while (received.Count < maxMessages)
                {
                    var wait = received.Count == 0 ? _firstMessageWait : NextMessageWait;
                    var message = await link.ReceiveAsync(wait).WaitAsync(cancellationToken);
                    if (message is null) break;
                    received.Add(Track(queueName, link, message));
                }
            }
            finally
            {
                StopCredit(link);
            }
            return received;
        }
        catch (Exception ex) when (ex is AmqpException or ObjectDisposedException or OperationCanceledException)
        {
            // A broken (or abandoned mid-receive) link: start afresh next time; the broker gives back what was held.
            await ResetCoreAsync();
            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Removes the dead letter (<c>accepted</c>). Throws <see cref="InvalidOperationException"/> when its hold was lost.</summary>
    public Task CompleteAsync(string handle, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(handle);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_held.TryRemove(handle, out var held) || held.Link.IsClosed)
        {
            throw new InvalidOperationException("the dead letter is no longer held by this reader (its lock or link ended): it is back in its dead-letter queue");
        }
        try
        {
            held.Link.Accept(held.Message);
        }
        catch (Exception ex) when (ex is AmqpException or ObjectDisposedException)
        {
            throw new InvalidOperationException("the dead letter could not be removed: " + ex.GetType().Name, ex);
        }
        return Task.CompletedTask;
    }

    /// <summary>Gives the dead letter back at once (<c>released</c>). Never throws: a lost hold has given it back already.</summary>
    public Task AbandonAsync(string handle)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(handle);
        if (_held.TryRemove(handle, out var held)) Release(held);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Keeps the dead letter held for <paramref name="delay"/> (zero or less: gives it back now). It is given back by the
    /// first <see cref="ReceiveAsync"/> after that time, or earlier if the broker ends the lock (Service Bus lock duration).
    /// </summary>
    public Task HoldAsync(string handle, TimeSpan delay)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(handle);
        if (delay <= TimeSpan.Zero) return AbandonAsync(handle);
        if (_held.TryGetValue(handle, out var held)) held.HoldUntil = _time.GetUtcNow() + delay;
        return Task.CompletedTask;
    }

    /// <summary>Sends <paramref name="body"/> to <paramref name="queueName"/> with <paramref name="messageId"/> (a replay).</summary>
    /// <remarks>
    /// The replay gets a message id of its own (the original's plus a replay suffix): with the original id, Service Bus
    /// duplicate detection would drop a replay sent within its window and the dead letter would be lost. Duplicate
    /// pushes are prevented by the relay's ledger (keyed by the event's tracking id), not by the message id.
    /// </remarks>
    public Task ResendAsync(string queueName, ReadOnlyMemory<byte> body, string messageId, CancellationToken cancellationToken = default) =>
        _publisher.SendAsync(queueName, body, $"{messageId}:replay:{Guid.NewGuid():N}", cancellationToken);

    private ServiceBusDeadLetter Track(string queueName, ReceiverLink link, Message message)
    {
        var handle = Guid.NewGuid().ToString("N");
        _held[handle] = new HeldMessage(link, message);
        ServiceBusReceivedMessage? read = null;
        try
        {
            read = ServiceBusReceivedMessage.From(message);
        }
        catch (Exception ex) when (ex is FormatException or InvalidCastException or OverflowException)
        {
            // Unreadable annotations: the entry still comes back, without a body, so it can be archived as corrupt.
        }
        var properties = message.ApplicationProperties?.Map;
        return new ServiceBusDeadLetter(queueName, handle, read?.MessageId ?? handle, read?.Body.ToMemory(),
            Text(properties, ServiceBusDisposition.DeadLetterReasonKey), Text(properties, ServiceBusDisposition.DeadLetterErrorDescriptionKey),
            read?.DeliveryCount ?? 1, read?.EnqueuedTime, read?.SequenceNumber, _time.GetUtcNow());
    }

    private static string? Text(Map? properties, string key) =>
        properties is not null && properties.TryGetValue(key, out var value) && value is string text && text.Length > 0 ? text : null;

    private void ReleaseDueHolds()
    {
        var now = _time.GetUtcNow();
        foreach (var (handle, held) in _held)
        {
            if (held.HoldUntil is { } until && until <= now && _held.TryRemove(handle, out var due)) Release(due);
        }
    }

    private static void Release(HeldMessage held)
    {
        if (held.Link.IsClosed) return;
        try
        {
            held.Link.Release(held.Message);
        }
        catch (Exception ex) when (ex is AmqpException or ObjectDisposedException or InvalidOperationException)
        {
            // The link is going: the broker gives the message back anyway.
        }
    }

    private static void StopCredit(ReceiverLink link)
    {
        try
        {
            if (!link.IsClosed) link.SetCredit(0, autoRestore: false);
        }
        catch (Exception ex) when (ex is AmqpException or ObjectDisposedException or InvalidOperationException)
        {
            // Closed meanwhile: nothing more arrives on it anyway.
        }
    }

    private async Task<ReceiverLink> LinkAsync(string queueName, CancellationToken cancellationToken)
    {
        if (_current is null || _current.Lost.IsCompleted)
        {
            await ResetCoreAsync();
            _current = await ServiceBusAmqpConnection.OpenAsync(_connection, _options, _time, cancellationToken);
        }
        if (_links.TryGetValue(queueName, out var existing) && !existing.IsClosed) return existing;
        _links.Remove(queueName);
        // As the Azure SDK does: the token's audience is the subqueue's own path, sb://<host>/<queue>/$DeadLetterQueue.
        if (_options.Broker == ServiceBusBroker.ServiceBus)
        {
            await _current.AuthorizeAsync(ServiceBusAddresses.DeadLetterQueue(queueName), cancellationToken);
        }
        var attached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var closed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var link = new ReceiverLink(_current.Session, "dlq-" + queueName + "-" + Guid.NewGuid().ToString("N")[..8], new Attach
        {
            Source = new Source { Address = ServiceBusAddresses.DeadLetterQueue(queueName, _options.Broker) },
            Target = new Target { Address = "dlq-receiver-" + Guid.NewGuid().ToString("N") },
            // Peek-lock: deliveries stay unsettled (locked) until our disposition.
            SndSettleMode = SenderSettleMode.Unsettled,
            RcvSettleMode = ReceiverSettleMode.First,
        }, (_, attach) =>
        {
            if (attach.Source is not null) attached.TrySetResult();
        });
        link.AddClosedCallback((_, error) => closed.TrySetResult(error?.Condition.ToString() ?? "link closed"));
        var first = await Task.WhenAny(attached.Task, closed.Task).WaitAsync(AttachTimeout, cancellationToken);
        if (first != attached.Task)
        {
            await AmqpRequestResponseLink.CloseQuietlyAsync(link);
            throw new InvalidOperationException(
                $"the broker refused a receiver on the dead-letter queue of '{queueName}' ({await closed.Task}): does the queue exist?");
        }
        _links[queueName] = link;
        return link;
    }

    private async Task ResetCoreAsync()
    {
        foreach (var handle in _held.Keys)
        {
            if (_held.TryRemove(handle, out var held)) Release(held);
        }
        foreach (var link in _links.Values) await AmqpRequestResponseLink.CloseQuietlyAsync(link);
        _links.Clear();
        if (_current is not null) await _current.DisposeAsync();
        _current = null;
    }

    /// <summary>Gives back every held dead letter and closes the links, the connection and the replay sender.</summary>
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            await ResetCoreAsync();
        }
        finally
        {
            _gate.Release();
        }
        await _publisher.DisposeAsync();
        _gate.Dispose();
    }

    private sealed class HeldMessage(ReceiverLink link, Message message)
    {
        public ReceiverLink Link { get; } = link;
        public Message Message { get; } = message;
        public DateTimeOffset? HoldUntil { get; set; }
    }
}
