using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Push.Providers.Http;

/// <summary>
/// Builds the socket handlers both providers use, so TLS trust and proxy settings are applied the
/// same way everywhere (including the OAuth token endpoint).
/// </summary>
internal static class ProviderHttpHandlers
{
    public static SocketsHttpHandler Create(string section, string? trustedCaPath, ProxyOptions? proxy, TimeSpan connectTimeout)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = connectTimeout,
            AutomaticDecompression = DecompressionMethods.None,
            AllowAutoRedirect = false,
            UseCookies = false,
            SslOptions = new SslClientAuthenticationOptions(),
        };
        if (!string.IsNullOrEmpty(trustedCaPath))
        {
            // The runtime builds the chain against this root only and still checks the host name;
            // validation is narrowed to our CA, never switched off.
            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            policy.CustomTrustStore.AddRange(LoadCertificates(section, trustedCaPath));
            handler.SslOptions.CertificateChainPolicy = policy;
        }
        if (proxy?.Address is not null)
        {
            var webProxy = new WebProxy(proxy.Address) { BypassProxyOnLocal = false };
            if (!string.IsNullOrEmpty(proxy.Username))
            {
                webProxy.Credentials = new NetworkCredential(proxy.Username, proxy.Password);
            }
            handler.Proxy = webProxy;
            handler.UseProxy = true;
        }
        else
        {
            // Without an explicit setting the platform's proxy variables still apply (HTTPS_PROXY).
            handler.UseProxy = true;
        }
        return handler;
    }

    public static X509Certificate2Collection LoadCertificates(string section, string path)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPemFile(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new InvalidOperationException($"{section}:TrustedCaPath '{path}' could not be read as PEM certificates: {ex.GetType().Name}", ex);
        }
        if (certificates.Count == 0)
        {
            throw new InvalidOperationException($"{section}:TrustedCaPath '{path}' holds no PEM certificate");
        }
        return certificates;
    }

    /// <summary>Validation shared by both option validators; returns an error naming the setting or null.</summary>
    public static string? ValidateTrustedCa(string section, string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }
        try
        {
            LoadCertificates(section, path);
            return null;
        }
        catch (InvalidOperationException ex)
        {
            return ex.Message;
        }
    }
}
