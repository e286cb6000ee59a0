using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Push.Providers.Tests.Support;

/// <summary>
/// A TLS server on loopback that only speaks HTTP/1.1, like a misconfigured endpoint. It selects ALPN
/// http/1.1, or, given <c>h2</c>, claims HTTP/2 in ALPN and still answers in HTTP/1.1 text.
/// </summary>
internal sealed class Http11TlsServer : IAsyncDisposable
{
    private readonly SslApplicationProtocol _alpn;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly X509Certificate2 _certificate;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public Http11TlsServer(string certificatePemPath, SslApplicationProtocol? alpn = null)
    {
        _alpn = alpn ?? SslApplicationProtocol.Http11;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        _certificate = X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
        File.WriteAllText(certificatePemPath, created.ExportCertificatePem());
        _listener.Start();
        Endpoint = new Uri($"https://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");
        _loop = LoopAsync();
    }

    public Uri Endpoint { get; }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try
                    {
                        using var tls = new SslStream(client.GetStream());
                        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                        {
                            ServerCertificate = _certificate,
                            ApplicationProtocols = [_alpn],
                        }, _stop.Token);
                        var buffer = new byte[4096];
                        _ = await tls.ReadAsync(buffer, _stop.Token); // the request head; its content does not matter
                        await tls.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"), _stop.Token);
                    }
                    catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException or OperationCanceledException)
                    {
                        // The client gave up on a server without h2: that is the point.
                    }
                }
            });
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _certificate.Dispose();
        _stop.Dispose();
    }
}
