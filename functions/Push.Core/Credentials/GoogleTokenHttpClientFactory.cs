using System.Net;
using System.Security.Cryptography.X509Certificates;
using Push.Providers;

namespace Push.Core.Credentials;

/// <summary>
/// Lets Google.Apis.Auth reach the token endpoint with FCM's TLS trust (Fcm:TrustedCaPath) and proxy
/// (Fcm:Proxy). Mirrors Push.Providers' handler rules, which are internal there: validation is narrowed to the
/// configured CA, never switched off.
/// </summary>
internal sealed class GoogleTokenHttpClientFactory(string? trustedCaPath, ProxyOptions? proxy, TimeSpan connectTimeout) : Google.Apis.Http.HttpClientFactory
{
    protected override HttpMessageHandler CreateHandler(Google.Apis.Http.CreateHttpClientArgs args)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = connectTimeout,
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = true,
        };
        if (!string.IsNullOrEmpty(trustedCaPath))
        {
            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            var certificates = new X509Certificate2Collection();
            certificates.ImportFromPemFile(trustedCaPath);
            policy.CustomTrustStore.AddRange(certificates);
            handler.SslOptions.CertificateChainPolicy = policy;
        }
        if (proxy?.Address is not null)
        {
            handler.Proxy = new WebProxy(proxy.Address)
            {
                BypassProxyOnLocal = false,
                Credentials = string.IsNullOrEmpty(proxy.Username) ? null : new NetworkCredential(proxy.Username, proxy.Password),
            };
        }
        return handler;
    }
}
