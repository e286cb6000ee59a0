using System.Net;

namespace Push.Providers.Apns;

/// <summary>
/// A start-up check that <see cref="ApnsOptions.Endpoint"/> answers HTTP/2 over TLS with the configured
/// trust and proxy. Without it a wrong endpoint only shows up as failed pushes.
/// </summary>
public static class ApnsEndpointProbe
{
    /// <summary>
    /// Sends one request without credentials or payload (APNs answers it with an error status, which is
    /// fine: any HTTP/2 answer proves the protocol). Throws <see cref="InvalidOperationException"/>
    /// naming <c>Apns:Endpoint</c> when the endpoint cannot be reached over HTTP/2.
    /// </summary>
    public static async Task EnsureHttp2Async(ApnsOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Endpoint.IsAbsoluteUri || options.Endpoint.Scheme != Uri.UriSchemeHttps)
        {
            throw new InvalidOperationException($"Apns:Endpoint '{options.Endpoint}' must be an https:// URI (APNs is HTTP/2 over TLS)");
        }
        using var invoker = new HttpMessageInvoker(ApnsClient.CreateHandler(options), disposeHandler: true);
        try
        {
            using var response = await SendAsync(invoker, options, HttpVersionPolicy.RequestVersionExact, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            // Asking again with HTTP/1.1 allowed tells "speaks only HTTP/1.1" apart from "unreachable or untrusted".
            if (await AnswersHttp11Async(options, cancellationToken).ConfigureAwait(false))
            {
                throw new InvalidOperationException($"Apns:Endpoint '{options.Endpoint}' answers only HTTP/1.1, not HTTP/2 (APNs requires HTTP/2)", ex);
            }
            var hint = ex.HttpRequestError switch
            {
                HttpRequestError.VersionNegotiationError or HttpRequestError.HttpProtocolError or HttpRequestError.InvalidResponse or HttpRequestError.ResponseEnded
                    => "does not speak HTTP/2",
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
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpMessageInvoker invoker, ApnsOptions options, HttpVersionPolicy policy, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.RequestTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, options.Endpoint.AbsoluteUri.TrimEnd('/') + "/3/device/")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = policy,
        };
        return await invoker.SendAsync(request, timeout.Token).ConfigureAwait(false);
    }

    private static async Task<bool> AnswersHttp11Async(ApnsOptions options, CancellationToken cancellationToken)
    {
        try
        {
            using var invoker = new HttpMessageInvoker(ApnsClient.CreateHandler(options), disposeHandler: true);
            using var response = await SendAsync(invoker, options, HttpVersionPolicy.RequestVersionOrLower, cancellationToken).ConfigureAwait(false);
            return response.Version < HttpVersion.Version20;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
