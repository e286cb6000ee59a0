using Amqp;
using Amqp.Framing;
using Microsoft.Extensions.Configuration;
using Push.Hosting.Configuration;

namespace Push.Hosting.ServiceBus;

/// <summary>
/// Sends messages to Service Bus queues (the CLI's side of the trigger). The message-id is the caller's tracking id,
/// so Service Bus duplicate detection drops a resend within its window. One connection, opened on first use.
/// </summary>
public sealed class ServiceBusEventPublisher : IAsyncDisposable
{
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(30);

    private readonly ServiceBusConnectionString _connection;
    private readonly ServiceBusTriggerOptions _options;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, SenderLink> _senders = new(StringComparer.Ordinal);
    private ServiceBusAmqpConnection? _current;

    public ServiceBusEventPublisher(ServiceBusConnectionString connection, ServiceBusAuthMode authMode = ServiceBusAuthMode.Cbs,
        ServiceBusBroker broker = ServiceBusBroker.ServiceBus, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connection = connection;
        _options = new ServiceBusTriggerOptions { AuthMode = authMode, Broker = broker };
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// A publisher with the relay's own settings (<c>ServiceBusConnection</c> and host.json
    /// <c>extensions.serviceBus</c> authMode / broker), for producers' tools such as the CLI.
    /// </summary>
    public static ServiceBusEventPublisher FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var reader = new SettingReader();
        var options = ServiceBusTriggerOptions.Read(configuration, Environment.ProcessorCount, reader);
        if (reader.Errors.Count > 0)
        {
            throw new InvalidOperationException(string.Join(" ", reader.Errors));
        }
        return new ServiceBusEventPublisher(ServiceBusConnectionString.Read(configuration), options.AuthMode, options.Broker);
    }

    /// <summary>Sends <paramref name="body"/> (as one data section) with <paramref name="messageId"/>; completes when the broker accepted it.</summary>
    public async Task SendAsync(string queueName, ReadOnlyMemory<byte> body, string messageId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(queueName);
        ArgumentException.ThrowIfNullOrWhiteSpace(messageId);
        var message = new Message
        {
            BodySection = new Data { Binary = body.ToArray() },
            Properties = new Properties { MessageId = messageId },
            Header = new Header { Durable = true },
        };
        var sender = await SenderAsync(queueName, cancellationToken);
        try
        {
            await sender.SendAsync(message, SendTimeout).WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is AmqpException or ObjectDisposedException || sender.IsClosed)
        {
            // A broken connection is replaced on the next send; the caller retries (the message-id makes it idempotent).
            await ResetAsync();
            throw;
        }
    }

    private async Task<SenderLink> SenderAsync(string queueName, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_current is null || _current.Lost.IsCompleted)
            {
                await ResetCoreAsync();
                _current = await ServiceBusAmqpConnection.OpenAsync(_connection, _options, _time, cancellationToken);
            }
            if (_senders.TryGetValue(queueName, out var existing) && !existing.IsClosed) return existing;
            if (_options.Broker == ServiceBusBroker.ServiceBus) await _current.AuthorizeAsync(queueName, cancellationToken);
            var sender = new SenderLink(_current.Session, "send-" + queueName + "-" + Guid.NewGuid().ToString("N")[..8], new Attach
            {
                Source = new Source { Address = "sender-" + Guid.NewGuid().ToString("N") },
                Target = new Target { Address = ServiceBusAddresses.Queue(queueName, _options.Broker) },
                SndSettleMode = SenderSettleMode.Unsettled,
            }, null);
            _senders[queueName] = sender;
            return sender;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task ResetAsync()
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
    }

    private async Task ResetCoreAsync()
    {
        foreach (var sender in _senders.Values) await AmqpRequestResponseLink.CloseQuietlyAsync(sender);
        _senders.Clear();
        if (_current is not null) await _current.DisposeAsync();
        _current = null;
    }

    public async ValueTask DisposeAsync()
    {
        await ResetAsync();
        _gate.Dispose();
    }
}
