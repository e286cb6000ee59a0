using System.Buffers.Binary;
using System.Net;
using System.Net.Http;

namespace Push.Providers.Apns;

/// <summary>
/// A start-up check that <see cref="ApnsOptions.Endpoint"/> speaks HTTP/2 over TLS with the configured
/// trust and proxy. Without it a wrong endpoint only shows up as failed pushes.
/// </summary>
/// <remarks>
/// It sends no request: Apple defines only <c>POST /3/device/&lt;token&gt;</c>, and anything else is a call
/// outside its API. The connection is opened by the same handler the client uses (so proxy, trust and
/// timeouts are the client's), and the check runs in that handler's plaintext filter, after TLS and ALPN
/// and before the handler writes a byte of its own: it reads the ALPN result, exchanges the HTTP/2
/// connection preface and SETTINGS with the server, says GOAWAY and ends the attempt there.
/// </remarks>
public static class ApnsEndpointProbe
{
    private static readonly byte[] ClientPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();
    private const byte SettingsFrame = 0x4;
    private const byte GoAwayFrame = 0x7;
    private const byte AckFlag = 0x1;
    private const int FrameHeaderBytes = 9;
    /// <summary>RFC 9113 §4.2: every peer accepts frames of this size; a SETTINGS frame is far smaller.</summary>
    private const int MaxFrameBytes = 16_384;

    /// <summary>
    /// Opens a connection, negotiates HTTP/2 and exchanges SETTINGS, then closes it; no request is sent.
    /// Throws <see cref="InvalidOperationException"/> naming <c>Apns:Endpoint</c> when the endpoint cannot
    /// be reached over HTTP/2.
    /// </summary>
    public static async Task EnsureHttp2Async(ApnsOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Endpoint.IsAbsoluteUri || options.Endpoint.Scheme != Uri.UriSchemeHttps)
        {
            throw new InvalidOperationException($"Apns:Endpoint '{options.Endpoint}' must be an https:// URI (APNs is HTTP/2 over TLS)");
        }
        var handler = ApnsClient.CreateHandler(options);
        handler.PlaintextStreamFilter = async (context, ct) =>
        {
            // The tunnel through Apns:Proxy is an HTTP/1.1 connection of its own that passes this filter too.
            if (context.InitialRequestMessage.Method == HttpMethod.Connect)
            {
                return context.PlaintextStream;
            }
            throw new ProbeFinished(await ExchangeSettingsAsync(context, ct).ConfigureAwait(false));
        };
        using var invoker = new HttpMessageInvoker(handler, disposeHandler: true);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.RequestTimeout);
        // Offering HTTP/1.1 too lets ALPN tell "speaks only HTTP/1.1" apart from "unreachable"; the filter
        // stops the attempt either way, so this request is never written.
        using var request = new HttpRequestMessage(HttpMethod.Post, options.Endpoint)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        try
        {
            using var response = await invoker.SendAsync(request, timeout.Token).ConfigureAwait(false);
        }
        catch (HttpRequestException ex) when (ex.InnerException is ProbeFinished finished)
        {
            // The handler wraps what its filter throws: this is how every probe that connected ends.
            if (finished.Problem is not null)
            {
                throw new InvalidOperationException($"Apns:Endpoint '{options.Endpoint}' {finished.Problem}", ex);
            }
            return;
        }
        catch (HttpRequestException ex)
        {
            var hint = ex.HttpRequestError switch
            {
                HttpRequestError.SecureConnectionError => "failed the TLS handshake or certificate validation (see Apns:TrustedCaPath)",
                HttpRequestError.ProxyTunnelError => "could not be reached through Apns:Proxy",
                _ => "could not be reached",
            };
            throw new InvalidOperationException($"Apns:Endpoint '{options.Endpoint}' {hint} ({ex.HttpRequestError})", ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException($"Apns:Endpoint '{options.Endpoint}' did not answer within {options.RequestTimeout} (Apns:RequestTimeout)", ex);
        }
        throw new InvalidOperationException($"Apns:Endpoint '{options.Endpoint}': the probe's connection was never opened");
    }

    /// <returns>Null when the server speaks HTTP/2, else what is wrong (without the setting's name).</returns>
    private static async Task<string?> ExchangeSettingsAsync(SocketsHttpPlaintextStreamFilterContext context, CancellationToken cancellationToken)
    {
        var stream = context.PlaintextStream;
        if (context.NegotiatedHttpVersion < HttpVersion.Version20)
        {
            return "answers only HTTP/1.1, not HTTP/2 (APNs requires HTTP/2; ALPN did not select h2)";
        }
        // RFC 9113 §3.4: the client's preface ends with a SETTINGS frame, and the server's preface is one.
        var hello = new byte[ClientPreface.Length + FrameHeaderBytes];
        ClientPreface.CopyTo(hello, 0);
        WriteFrameHeader(hello.AsSpan(ClientPreface.Length), length: 0, SettingsFrame, flags: 0);
        await stream.WriteAsync(hello, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);

        var header = new byte[FrameHeaderBytes];
        try
        {
            await stream.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
        }
        catch (EndOfStreamException)
        {
            return "negotiated HTTP/2 but closed the connection instead of sending SETTINGS (does not speak HTTP/2)";
        }
        var length = (header[0] << 16) | (header[1] << 8) | header[2];
        var streamId = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(5)) & 0x7FFF_FFFF;
        if (header[3] != SettingsFrame || (header[4] & AckFlag) != 0 || streamId != 0 || length % 6 != 0 || length > MaxFrameBytes)
        {
            return "negotiated HTTP/2 but did not open with a SETTINGS frame (does not speak HTTP/2)";
        }
        await stream.ReadExactlyAsync(new byte[length], cancellationToken).ConfigureAwait(false);

        // Acknowledge the server's SETTINGS and leave politely: GOAWAY, last stream 0, NO_ERROR.
        var goodbye = new byte[FrameHeaderBytes * 2 + 8];
        WriteFrameHeader(goodbye, length: 0, SettingsFrame, AckFlag);
        WriteFrameHeader(goodbye.AsSpan(FrameHeaderBytes), length: 8, GoAwayFrame, flags: 0);
        await stream.WriteAsync(goodbye, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        return null;
    }

    private static void WriteFrameHeader(Span<byte> destination, int length, byte type, byte flags)
    {
        destination[0] = (byte)(length >> 16);
        destination[1] = (byte)(length >> 8);
        destination[2] = (byte)length;
        destination[3] = type;
        destination[4] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(destination[5..], 0);
    }

    /// <summary>Ends the handler's attempt from inside its filter, carrying the exchange's verdict out.</summary>
    private sealed class ProbeFinished(string? problem) : Exception("the endpoint probe ends the connection attempt here")
    {
        public string? Problem { get; } = problem;
    }
}
