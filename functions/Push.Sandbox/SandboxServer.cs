using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Push.Sandbox.Apns;
using Push.Sandbox.Control;
using Push.Sandbox.Fcm;
using Push.Sandbox.OAuth;
using Push.Sandbox.Security;

namespace Push.Sandbox;

/// <summary>
/// Local stand-ins for APNs (HTTP/2 + TLS), FCM HTTP v1 and Google's OAuth token endpoint, on loopback, with
/// Apple's and Google's own checks and answers, records of what was accepted, and injectable faults.
/// </summary>
public sealed class SandboxServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SandboxState _state;
    private readonly SandboxCertificates _certificates;
    private int _disposed;

    private SandboxServer(WebApplication app, SandboxState state, SandboxCertificates certificates, int apnsPort, int fcmPort,
        string caPath, string bundlePath, SandboxCredentials? credentials)
    {
        _app = app;
        _state = state;
        _certificates = certificates;
        ApnsEndpoint = new Uri($"https://127.0.0.1:{apnsPort}");
        FcmEndpoint = new Uri($"https://127.0.0.1:{fcmPort}");
        OAuthTokenEndpoint = new Uri(FcmEndpoint, "/token");
        ControlEndpoint = new Uri(FcmEndpoint, ControlApi.Prefix + "/");
        CaCertificatePath = caPath;
        TrustBundlePath = bundlePath;
        GeneratedCredentials = credentials;
    }

    /// <summary>https://127.0.0.1:{port}: clients POST {ApnsEndpoint}/3/device/{token}.</summary>
    public Uri ApnsEndpoint { get; }

    /// <summary>https://127.0.0.1:{port}: clients POST {FcmEndpoint}/v1/projects/{p}/messages:send.</summary>
    public Uri FcmEndpoint { get; }

    /// <summary>https://127.0.0.1:{port}/token (same port as FCM).</summary>
    public Uri OAuthTokenEndpoint { get; }

    /// <summary>https://127.0.0.1:{port}/_sandbox/ (same port as FCM).</summary>
    public Uri ControlEndpoint { get; }

    /// <summary>The CA that signed the server certificate (public certificate only).</summary>
    public X509Certificate2 CaCertificate => _certificates.CaCertificate;

    public string CaCertificatePath { get; }

    /// <summary>System roots + ca.pem: start a process with SSL_CERT_FILE set to this to trust the sandbox.</summary>
    public string TrustBundlePath { get; }

    /// <summary>Where the development credentials are, when <see cref="SandboxOptions.GenerateCredentials"/> was set.</summary>
    public SandboxCredentials? GeneratedCredentials { get; }

    public SandboxFaults Faults => _state.Faults;

    /// <summary>Accepted APNs pushes (a snapshot).</summary>
    public IReadOnlyList<RecordedApnsPush> ApnsPushes => _state.ApnsPushes;

    /// <summary>Accepted FCM messages (a snapshot).</summary>
    public IReadOnlyList<RecordedFcmMessage> FcmMessages => _state.FcmMessages;

    /// <summary>Every APNs, FCM and OAuth request with its answer, accepted or not (a snapshot).</summary>
    public IReadOnlyList<RecordedRequest> AllRequests => _state.AllRequests;

    /// <summary>Distinct provider tokens (team, key, iat) accepted, in order; never the token text.</summary>
    public IReadOnlyList<SeenProviderToken> ProviderTokensSeen => _state.ProviderTokensSeen;

    public int AccessTokensIssued => _state.AccessTokensIssued;

    public static async Task<SandboxServer> StartAsync(SandboxOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxConcurrentStreams < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxConcurrentStreams must be at least 1.");
        if (options.AccessTokenLifetimeSeconds < 1) throw new ArgumentOutOfRangeException(nameof(options), "AccessTokenLifetimeSeconds must be at least 1.");
        var stateDirectory = Path.GetFullPath(options.StateDirectory);
        OwnerOnlyFiles.CreateDirectory(stateDirectory);

        var certificates = SandboxCertificates.Create(options.TimeProvider.GetUtcNow());
        var (caPath, bundlePath) = certificates.WriteTo(stateDirectory);
        var state = new SandboxState(options);

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = stateDirectory });
        builder.Logging.ClearProviders(); // no request logging: requests carry tokens
        ListenOptions? apnsListen = null, fcmListen = null;
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.Http2.MaxStreamsPerConnection = options.MaxConcurrentStreams;
            kestrel.Listen(IPAddress.Loopback, options.ApnsPort, listen =>
            {
                apnsListen = listen;
                listen.Protocols = HttpProtocols.Http2; // APNs speaks HTTP/2 only
                listen.UseHttps(https =>
                {
                    https.ServerCertificate = certificates.ServerCertificate;
                    https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
                });
            });
            kestrel.Listen(IPAddress.Loopback, options.FcmPort, listen =>
            {
                fcmListen = listen;
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(https =>
                {
                    https.ServerCertificate = certificates.ServerCertificate;
                    https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
                });
            });
        });
        var app = builder.Build();

        SandboxServer? server = null;
        var stopping = app.Lifetime.ApplicationStopping;
        var apns = new ApnsHandler(state, stopping);
        var fcm = new FcmHandler(state, stopping);
        var oauth = new OAuthHandler(state, () => server!.OAuthTokenEndpoint, stopping);
        var control = new ControlApi(state, () => server!.Info());
        var apnsPort = 0;
        app.Run(context =>
        {
            if (context.Connection.LocalPort == apnsPort) return apns.HandleAsync(context);
            var path = context.Request.Path.Value ?? "";
            if (path == "/token") return oauth.HandleAsync(context);
            if (path == ControlApi.Prefix || path.StartsWith(ControlApi.Prefix + "/", StringComparison.Ordinal)) return control.HandleAsync(context);
            if (FcmHandler.Matches(path)) return fcm.HandleAsync(context);
            return NotFoundAsync(context);
        });

        try
        {
            await app.StartAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            certificates.Dispose();
            throw;
        }
        apnsPort = ((IPEndPoint)apnsListen!.EndPoint).Port;
        var fcmPort = ((IPEndPoint)fcmListen!.EndPoint).Port;

        SandboxCredentials? credentials = null;
        CredentialFiles.Loaded? loaded = null;
        if (options.GenerateCredentials)
        {
            loaded = CredentialFiles.LoadOrCreate(stateDirectory, new Uri($"https://127.0.0.1:{fcmPort}/token"));
            credentials = loaded.Credentials;
        }
        server = new SandboxServer(app, state, certificates, apnsPort, fcmPort, caPath, bundlePath, credentials);
        if (loaded is not null)
        {
            using (loaded.ApnsPublicKey)
            using (loaded.ServiceAccountPublicKey)
            {
                server.RegisterApnsKey(credentials!.TeamId, credentials.KeyId, loaded.ApnsPublicKey, [.. credentials.BundleIds]);
                server.RegisterServiceAccount(credentials.ClientEmail, loaded.ServiceAccountPublicKey, credentials.ProjectId, loaded.PrivateKeyId);
            }
        }
        await File.WriteAllTextAsync(Path.Combine(stateDirectory, "sandbox.json"),
            JsonSerializer.Serialize(server.Info(), new JsonSerializerOptions(ControlApi.Json) { WriteIndented = true }), ct).ConfigureAwait(false);
        return server;
    }

    /// <summary>Trusts <paramref name="publicKey"/> for provider tokens with kid <paramref name="keyId"/> and iss <paramref name="teamId"/>.</summary>
    /// <param name="bundleIds">The team's apps; topics are these, or these plus a push-type suffix such as ".voip".</param>
    public void RegisterApnsKey(string teamId, string keyId, ECDsa publicKey, params string[] bundleIds) =>
        _state.RegisterApnsKey(teamId, keyId, publicKey, bundleIds);

    /// <summary>Trusts <paramref name="publicKey"/> for OAuth assertions whose iss is <paramref name="clientEmail"/>.</summary>
    public void RegisterServiceAccount(string clientEmail, RSA publicKey, string projectId, string? privateKeyId = null) =>
        _state.RegisterServiceAccount(clientEmail, publicKey, projectId, privateKeyId);

    public Task<RecordedApnsPush> WaitForApnsPushAsync(Func<RecordedApnsPush, bool> match, TimeSpan timeout) =>
        _state.WaitForAsync(() => _state.ApnsPushes, match, timeout, "APNs push");

    public Task<RecordedFcmMessage> WaitForFcmMessageAsync(Func<RecordedFcmMessage, bool> match, TimeSpan timeout) =>
        _state.WaitForAsync(() => _state.FcmMessages, match, timeout, "FCM message");

    /// <summary>Forgets accepted pushes and messages and the request log (not registrations, tokens or faults).</summary>
    public void ClearRecords() => _state.ClearRecords();

    /// <summary>Endpoints and ids (what sandbox.json and /_sandbox/info show); no key material.</summary>
    internal object Info() => new
    {
        apnsEndpoint = ApnsEndpoint,
        fcmEndpoint = FcmEndpoint,
        oauthTokenEndpoint = OAuthTokenEndpoint,
        controlEndpoint = ControlEndpoint,
        caCertificatePath = CaCertificatePath,
        trustBundlePath = TrustBundlePath,
        teamId = GeneratedCredentials?.TeamId,
        keyId = GeneratedCredentials?.KeyId,
        apnsKeyPath = GeneratedCredentials?.ApnsKeyPath,
        bundleIds = GeneratedCredentials?.BundleIds,
        projectId = GeneratedCredentials?.ProjectId,
        clientEmail = GeneratedCredentials?.ClientEmail,
        serviceAccountPath = GeneratedCredentials?.ServiceAccountPath,
    };

    private static Task NotFoundAsync(HttpContext context)
    {
        context.Response.StatusCode = 404;
        context.Response.ContentType = "application/json; charset=UTF-8";
        return context.Response.WriteAsync("{\"error\":{\"code\":404,\"message\":\"Requested entity was not found.\",\"status\":\"NOT_FOUND\"}}");
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            try
            {
                await _app.StopAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Kestrel aborts what is left once the token fires; nothing else to do.
            }
        }
        await _app.DisposeAsync().ConfigureAwait(false);
        _certificates.Dispose();
    }
}
