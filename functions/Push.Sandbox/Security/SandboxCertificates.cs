using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Push.Sandbox.Security;

/// <summary>
/// A throw-away CA and a loopback server certificate it signed, made at every start so no private key
/// is ever stored: clients trust the CA (ca.pem / trust-bundle.pem), never a disabled validation.
/// </summary>
internal sealed class SandboxCertificates : IDisposable
{
    private const string SystemBundle = "/etc/ssl/certs/ca-certificates.crt";

    private SandboxCertificates(X509Certificate2 ca, X509Certificate2 server)
    {
        CaCertificate = ca;
        ServerCertificate = server;
    }

    /// <summary>The CA's public certificate only.</summary>
    public X509Certificate2 CaCertificate { get; }

    /// <summary>The server certificate with its private key (in memory only).</summary>
    public X509Certificate2 ServerCertificate { get; }

    public static SandboxCertificates Create(DateTimeOffset now)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Push Sandbox Local CA, O=Push Relay Development", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var caWithKey = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(30));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        serverRequest.CertificateExtensions.Add(names.Build(critical: false));
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        serverRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(serverRequest.PublicKey, false));
        serverRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(caWithKey, true, false));

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // a positive serial, as RFC 5280 asks
        using var serverPublic = serverRequest.Create(caWithKey, now.AddMinutes(-5), now.AddDays(29), serial);
        var server = serverPublic.CopyWithPrivateKey(serverKey);
        var ca = X509CertificateLoader.LoadCertificate(caWithKey.RawData);
        return new SandboxCertificates(ca, server);
    }

    /// <summary>Writes ca.pem and trust-bundle.pem (system roots + ca.pem, for SSL_CERT_FILE).</summary>
    public (string CaPath, string BundlePath) WriteTo(string directory)
    {
        var caPem = CaCertificate.ExportCertificatePem() + "\n";
        var caPath = Path.Combine(directory, "ca.pem");
        File.WriteAllText(caPath, caPem);
        var bundlePath = Path.Combine(directory, "trust-bundle.pem");
        var system = File.Exists(SystemBundle) ? File.ReadAllText(SystemBundle) : "";
        if (system.Length > 0 && !system.EndsWith('\n')) system += "\n";
        File.WriteAllText(bundlePath, system + caPem);
        return (caPath, bundlePath);
    }

    public void Dispose()
    {
        CaCertificate.Dispose();
        ServerCertificate.Dispose();
    }
}
