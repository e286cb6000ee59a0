using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Amqp;
using Amqp.Listener;
using Amqp.Types;

namespace Push.Testing.ServiceBus;

/// <summary>
/// An in-process Service Bus emulator on AMQPNetLite's listener that the real Azure.Messaging.ServiceBus SDK accepts:
/// plain AMQP on one loopback port (for a <c>UseDevelopmentEmulator=true</c> connection string), AMQP over TLS on
/// another (a credential-based client always uses TLS), queues a test creates, and logs of what the broker did.
/// It proves conformance to what the SDK expects of a broker, not to the real service (see README.md beside it).
/// </summary>
public sealed class ServiceBusEmulator : IAsyncDisposable
{
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan CloseWait = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RecheckInterval = TimeSpan.FromMilliseconds(250);

    private readonly Broker _broker;
    private readonly X509Certificate2 _certificate;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private ContainerHost? _host;
    private LoopbackAcceptor? _plain;
    private LoopbackAcceptor? _tls;
    private bool _disposed;

    public ServiceBusEmulator(ServiceBusEmulatorOptions? options = null)
    {
        options ??= new ServiceBusEmulatorOptions();
        options.Validate();
        _broker = new Broker(options);
        _certificate = EmulatorCertificate.Create(options.FullyQualifiedNamespace);
        Port = options.Port;
        TlsPort = options.TlsPort;
    }

    /// <summary>Plain AMQP port; the actual one once started (a restart keeps it).</summary>
    public int Port { get; private set; }

    /// <summary>AMQP over TLS port; the actual one once started.</summary>
    public int TlsPort { get; private set; }

    /// <summary>The namespace name for <c>new ServiceBusClient(FullyQualifiedNamespace, credential, options)</c>.</summary>
    public string FullyQualifiedNamespace => _broker.Options.FullyQualifiedNamespace;

    /// <summary><c>Endpoint=sb://127.0.0.1:PORT;SharedAccessKeyName=…;SharedAccessKey=…;UseDevelopmentEmulator=true</c> (plain AMQP).</summary>
    public string ConnectionString => ConnectionStringWithKey(_broker.SharedAccessKey);

    /// <summary>
    /// Where a credential-based client must connect: <c>ServiceBusClientOptions.CustomEndpointAddress</c>. The SDK
    /// takes only host and port from it and always speaks TLS to it, so trust the emulator with
    /// <see cref="ValidateServerCertificate"/> as the options' <c>CertificateValidationCallback</c>.
    /// </summary>
    public Uri TlsEndpoint => new($"amqps://127.0.0.1:{TlsPort}");

    public bool IsRunning => Volatile.Read(ref _host) is not null;

    /// <summary>Connections open now.</summary>
    public int OpenConnections => _broker.OpenConnections.Count;

    /// <summary>Every settlement the broker applied or refused, in order.</summary>
    public IReadOnlyList<Settlement> Settlements => _broker.Settlements;

    /// <summary>Every CBS put-token, valid or not, in order.</summary>
    public IReadOnlyList<PutTokenRecord> PutTokens => _broker.PutTokens;

    /// <summary>Every <c>$management</c> request, in order.</summary>
    public IReadOnlyList<ManagementRecord> ManagementRequests => _broker.ManagementRequests;

    /// <summary>Sends dropped by duplicate detection.</summary>
    public IReadOnlyList<DroppedDuplicate> DroppedDuplicates => _broker.DroppedDuplicates;

    /// <summary>Drain requests answered on receive links (the SDK drains when it closes a receiver with credit left).</summary>
    public int DrainsAnswered => _broker.DrainsAnswered;

    /// <summary>Exceptions inside the emulator; a test that ends with any has found an emulator bug.</summary>
    public IReadOnlyList<string> Faults => _broker.Faults;

    public static async Task<ServiceBusEmulator> StartNewAsync(ServiceBusEmulatorOptions? options = null)
    {
        var emulator = new ServiceBusEmulator(options);
        try
        {
            await emulator.StartAsync();
            return emulator;
        }
        catch
        {
            await emulator.DisposeAsync();
            throw;
        }
    }

    /// <summary>The connection string with another key, for a test of refused authorization. The key is not kept.</summary>
    public string ConnectionStringWithKey(string sharedAccessKey) =>
        $"Endpoint=sb://127.0.0.1:{Port};SharedAccessKeyName={_broker.Options.SharedAccessKeyName};SharedAccessKey={sharedAccessKey};UseDevelopmentEmulator=true";

    /// <summary>
    /// A <c>RemoteCertificateValidationCallback</c> that trusts exactly the emulator's self-signed certificate (pinned):
    /// a different certificate or a host-name mismatch still fails. TLS validation is not switched off.
    /// </summary>
    public bool ValidateServerCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors) =>
        EmulatorCertificate.IsPinned(_certificate, certificate, errors);

    public void CreateQueue(string name, QueueOptions? options = null) => _broker.CreateQueue(name, options ?? new QueueOptions());

    public QueueCounts Counts(string queue) => _broker.Queue(queue).Counts();

    /// <summary>The queue's messages in every state but dead-lettered, by sequence number.</summary>
    public IReadOnlyList<BrokerMessage> Messages(string queue) => _broker.Queue(queue).Snapshot(deadLetter: false);

    public IReadOnlyList<BrokerMessage> DeadLetterMessages(string queue) => _broker.Queue(queue).Snapshot(deadLetter: true);

    /// <summary>
    /// Waits until <paramref name="condition"/> holds, re-checking on every broker change (and at least every 250 ms,
    /// for conditions on the test's own state). The timeout only bounds a failing test.
    /// </summary>
    public async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultWait;
        using var deadline = new CancellationTokenSource(limit);
        while (true)
        {
            var changed = _broker.Changed;
            if (condition()) return;
            using var tick = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
            tick.CancelAfter(RecheckInterval);
            try
            {
                await changed.WaitAsync(tick.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!deadline.IsCancellationRequested)
            {
                // No change within the interval: check again.
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"timed out after {limit} waiting until {what}");
            }
        }
    }

    /// <summary>Starts listening (again, on the same ports after a stop). Queues and messages survive a stop.</summary>
    public async Task StartAsync()
    {
        await _lifecycle.WaitAsync();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_host is not null) return;
            _plain = new LoopbackAcceptor(Port, certificate: null);
            _tls = new LoopbackAcceptor(TlsPort, _certificate);
            Port = _plain.Port;
            TlsPort = _tls.Port;

            var host = new ContainerHost([new Address($"{_plain.Scheme}://127.0.0.1:{Port}"), new Address($"{_tls.Scheme}://127.0.0.1:{TlsPort}")]);
            host.CustomTransports[_plain.Scheme] = _plain;
            host.CustomTransports[_tls.Scheme] = _tls;
            foreach (var listener in host.Listeners)
            {
                listener.SASL.EnableMechanism((Symbol)CbsSaslProfile.MechanismName, new CbsSaslProfile());
                listener.HandlerFactory = _ => _broker.NewConnection();
            }

            host.RegisterLinkProcessor(_broker.Router);
            host.Open();
            _broker.StartSweeping();
            Volatile.Write(ref _host, host);
        }
        catch
        {
            _plain?.Dispose();
            _tls?.Dispose();
            throw;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Stops listening and closes every connection with <c>amqp:connection:forced</c>, as a service restart would;
    /// their locks are released. Connections that do not close in time are cut.
    /// </summary>
    public async Task StopAsync()
    {
        await _lifecycle.WaitAsync();
        try
        {
            await StopListeningAsync();
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Detaches every receive link on the queue (or its dead-letter queue) with <c>amqp:link:detach-forced</c>, while
    /// their connections stay. Their locks stay too, as on Service Bus: the SDK then settles those messages through
    /// <c>$management</c> (update-disposition), since the new link does not know their delivery tags.
    /// </summary>
    public Task DetachReceiversAsync(string queue, bool deadLetterQueue = false) =>
        Task.WhenAll(_broker.Queue(queue).Consumers(deadLetterQueue)
            .Select(c => c.DetachAsync(new Amqp.Framing.Error(ErrorCode.DetachForced) { Description = "Detached by the test." })))
            .WaitAsync(CloseWait);

    /// <summary>Cuts every open connection without an AMQP close, as a network failure would; the listener stays up.</summary>
    public async Task DropConnectionsAsync()
    {
        var open = _broker.OpenConnections;
        _plain?.DropAll();
        _tls?.DropAll();
        await WaitUntilAsync(() => open.All(c => !_broker.OpenConnections.Contains(c)), "the cut connections closed", CloseWait);
    }

    /// <summary>Stops listening, closes every connection and the broker's timer; nothing of the emulator runs afterwards.</summary>
    public async ValueTask DisposeAsync()
    {
        await _lifecycle.WaitAsync();
        try
        {
            if (_disposed) return;
            _disposed = true;
            await StopListeningAsync();
            await _broker.DisposeAsync();
            _certificate.Dispose();
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private async Task StopListeningAsync()
    {
        if (_host is not { } host) return;
        var open = _broker.OpenConnections;
        bool Closed() => open.All(c => !_broker.OpenConnections.Contains(c));
        host.Close();
        try
        {
            await WaitUntilAsync(Closed, "the connections closed", CloseWait);
        }
        catch (TimeoutException)
        {
            _plain?.DropAll();
            _tls?.DropAll();
            await WaitUntilAsync(Closed, "the cut connections closed", CloseWait);
        }

        // Sockets still in their SASL exchange never became connections; nothing is left to answer them.
        _plain?.DropAll();
        _tls?.DropAll();
        Volatile.Write(ref _host, null);
    }
}
