using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Amqp;
using Amqp.Sasl;
using Amqp.Types;

namespace Push.Testing.ServiceBus;

/// <summary>
/// The emulator's TCP (optionally TLS) listener on 127.0.0.1, plugged into AMQPNetLite's <c>ConnectionListener</c> as a
/// custom transport. AMQPNetLite's own TCP listener keeps its socket private, so a port of 0 could not be read back
/// and a connection could not be cut abruptly; this one can do both.
/// </summary>
internal sealed class LoopbackAcceptor : TransportProvider
{
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    private readonly TcpListener _listener;
    private readonly X509Certificate2? _certificate;
    private readonly ConcurrentDictionary<StreamTransport, byte> _open = new();
    private int _disposed;

    public LoopbackAcceptor(int port, X509Certificate2? certificate)
    {
        _certificate = certificate;
        _listener = new TcpListener(IPAddress.Loopback, port);
        // A restart binds the port again while the previous run's connections may still sit in TIME_WAIT.
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        AddressSchemes = [Scheme];
    }

    public string Scheme => _certificate is null ? "amqp" : "amqps";

    public int Port { get; }

    public override async Task<IAsyncTransport> CreateAsync(Address address)
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync().ConfigureAwait(false);
            }
            catch (Exception) when (Volatile.Read(ref _disposed) == 1)
            {
                return await ParkAsync().ConfigureAwait(false);
            }

            socket.NoDelay = true;
            Stream stream = new NetworkStream(socket, ownsSocket: true);
            if (_certificate is not null)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                try
                {
                    using var timeout = new CancellationTokenSource(HandshakeTimeout);
                    await tls.AuthenticateAsServerAsync(
                        new SslServerAuthenticationOptions { ServerCertificate = _certificate }, timeout.Token).ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // A client that gives up on the handshake is its own failure; the next client still gets served.
                    await tls.DisposeAsync().ConfigureAwait(false);
                    continue;
                }

                stream = tls;
            }

            var transport = new StreamTransport(stream, closed => _open.TryRemove(closed, out _));
            _open.TryAdd(transport, 0);
            if (Volatile.Read(ref _disposed) == 1)
            {
                transport.Close();
                return await ParkAsync().ConfigureAwait(false);
            }

            return transport;
        }
    }

    /// <summary>Cuts every connection without an AMQP close, as a network failure would.</summary>
    public void DropAll()
    {
        foreach (var transport in _open.Keys) transport.Close();
    }

    public override void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _listener.Stop();
    }

    // AMQPNetLite's accept loop for custom transports never ends by itself: it retries after every exception.
    // Handing it a task that never completes parks the loop for good without holding a thread.
    private static Task<IAsyncTransport> ParkAsync() => new TaskCompletionSource<IAsyncTransport>().Task;
}

/// <summary>AMQPNetLite's transport contract over a (TLS or plain) network stream.</summary>
internal sealed class StreamTransport(Stream stream, Action<StreamTransport> onClosed) : IAsyncTransport
{
    private int _closed;

    public void SetConnection(Connection connection)
    {
    }

    public async Task SendAsync(IList<ByteBuffer> bufferList, int listSize)
    {
        foreach (var buffer in bufferList)
            await stream.WriteAsync(buffer.Buffer.AsMemory(buffer.Offset, buffer.Length)).ConfigureAwait(false);
        await stream.FlushAsync().ConfigureAwait(false);
    }

    public Task<int> ReceiveAsync(byte[] buffer, int offset, int count) => stream.ReadAsync(buffer, offset, count);

    // The synchronous pair is what AMQPNetLite's SASL exchange uses before the connection's async pump starts.
    public void Send(ByteBuffer buffer)
    {
        stream.Write(buffer.Buffer, buffer.Offset, buffer.Length);
        stream.Flush();
    }

    public int Receive(byte[] buffer, int offset, int count) => stream.Read(buffer, offset, count);

    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 1) return;
        stream.Dispose();
        onClosed(this);
    }
}

/// <summary>
/// SASL <c>MSSBCBS</c>, the only mechanism Azure.Messaging.ServiceBus offers: it carries no credentials (the client
/// authorizes afterwards with CBS put-token), so the server only answers <c>ok</c>. Stateless, as AMQPNetLite shares
/// one instance across connections.
/// </summary>
internal sealed class CbsSaslProfile() : SaslProfile(MechanismName)
{
    public const string MechanismName = "MSSBCBS";

    protected override ITransport UpgradeTransport(ITransport transport) => transport;

    protected override DescribedList GetStartCommand(string hostname) =>
        throw new NotSupportedException("The emulator only accepts SASL; it never starts it.");

    protected override DescribedList OnCommand(DescribedList command) => command switch
    {
        SaslInit => new SaslOutcome { Code = SaslCode.Ok },
        _ => throw new AmqpException(ErrorCode.NotAllowed, "unexpected SASL frame"),
    };
}

/// <summary>The emulator's self-signed TLS certificate, made at start so no private key is ever committed.</summary>
internal static class EmulatorCertificate
{
    public static X509Certificate2 Create(string hostName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + hostName, key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName(hostName);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddDays(7));
    }

    /// <summary>
    /// Trusts exactly this certificate: the chain cannot be anchored (it is self-signed), so it is pinned instead; a
    /// name mismatch or any other certificate still fails.
    /// </summary>
    public static bool IsPinned(X509Certificate2 pinned, X509Certificate? presented, SslPolicyErrors errors) =>
        presented is not null
        && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None
        && presented.GetRawCertData().AsSpan().SequenceEqual(pinned.RawData);
}
