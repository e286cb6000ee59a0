using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Push.Sandbox.Tests;

/// <summary>Raw HTTP clients that trust exactly the sandbox CA (custom-root chain validation, never disabled).</summary>
internal static class SandboxHttp
{
    public static HttpClient CreateClient(X509Certificate2 ca, TimeSpan? timeout = null)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (certificate is null) return false;
                    // Name mismatch is still an error; only the chain is judged against our own root.
                    if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0) return false;
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(new X509Certificate2(certificate));
                },
            },
        };
        return new HttpClient(handler) { Timeout = timeout ?? TimeSpan.FromSeconds(15) };
    }

    public static HttpRequestMessage Http2(HttpMethod method, Uri uri) => new(method, uri)
    {
        Version = HttpVersion.Version20,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };
}
