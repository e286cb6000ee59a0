using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Push.Providers.Apns;
using Push.Providers.Fcm;
using Push.Sandbox;
using Push.Testing;

namespace Push.Providers.Tests.Support;

/// <summary>A sandbox on loopback plus keys registered with it and the options that point our clients at it.</summary>
internal sealed class SandboxRig : IAsyncDisposable
{
    public const string BundleId = "com.example.app";
    public const string ProjectId = "demo-project";
    public const string ClientEmail = "relay@demo-project.iam.gserviceaccount.com";

    private SandboxRig(TempDirectory directory, SandboxServer sandbox, TimeProvider time)
    {
        Directory = directory;
        Sandbox = sandbox;
        Time = time;
    }

    public TempDirectory Directory { get; }
    public SandboxServer Sandbox { get; }
    public TimeProvider Time { get; }
    public CapturingLoggerProvider Logs { get; } = new();
    public ApnsOptions ApnsOptions { get; private set; } = null!;
    public FcmOptions FcmOptions { get; private set; } = null!;
    public string ApnsPrivateKeyPem { get; private set; } = "";
    public string ServiceAccountPrivateKeyPem { get; private set; } = "";

    public static async Task<SandboxRig> StartAsync(TimeProvider? time = null, TimeProvider? sandboxTime = null)
    {
        var directory = new TempDirectory();
        time ??= TimeProvider.System;
        var sandbox = await SandboxServer.StartAsync(new SandboxOptions
        {
            StateDirectory = directory.File("sandbox"),
            TimeProvider = sandboxTime ?? time,
        });
        var rig = new SandboxRig(directory, sandbox, time);

        using var apnsKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        sandbox.RegisterApnsKey(TestKeys.TeamId, TestKeys.KeyId, apnsKey, BundleId);
        rig.ApnsPrivateKeyPem = apnsKey.ExportPkcs8PrivateKeyPem();
        rig.ApnsOptions = new ApnsOptions
        {
            Endpoint = sandbox.ApnsEndpoint,
            TeamId = TestKeys.TeamId,
            KeyId = TestKeys.KeyId,
            PrivateKeyPath = TestKeys.WriteP8(directory.Path, apnsKey),
            TrustedCaPath = sandbox.CaCertificatePath,
            RequestTimeout = TimeSpan.FromSeconds(10),
        };

        using var rsa = RSA.Create(2048);
        sandbox.RegisterServiceAccount(ClientEmail, rsa, ProjectId, "0123456789abcdef");
        rig.ServiceAccountPrivateKeyPem = rsa.ExportPkcs8PrivateKeyPem();
        rig.FcmOptions = new FcmOptions
        {
            Endpoint = sandbox.FcmEndpoint,
            ServiceAccountPath = TestKeys.WriteServiceAccount(directory.Path, rsa, ClientEmail, ProjectId, sandbox.OAuthTokenEndpoint),
            TrustedCaPath = sandbox.CaCertificatePath,
        };
        return rig;
    }

    public ApnsJwtIssuer CreateIssuer() =>
        new(Microsoft.Extensions.Options.Options.Create(ApnsOptions), Time, Logs.CreateLogger<ApnsJwtIssuer>());

    public ApnsClient CreateApnsClient(IApnsProviderTokenSource tokens) =>
        new(Microsoft.Extensions.Options.Options.Create(ApnsOptions), tokens, Time, Logs.CreateLogger<ApnsClient>());

    public GoogleServiceAccountTokenSource CreateTokenSource() =>
        new(Microsoft.Extensions.Options.Options.Create(FcmOptions), Time, Logs.CreateLogger<GoogleServiceAccountTokenSource>());

    public FcmClient CreateFcmClient(IFcmAccessTokenSource tokens) =>
        new(Microsoft.Extensions.Options.Options.Create(FcmOptions), tokens, Time, Logs.CreateLogger<FcmClient>());

    public static string DeviceToken(int n) => n.ToString("x2").PadLeft(64, 'a');

    public static ApnsNotification Push(string deviceToken, ApnsPushType type = ApnsPushType.Alert) => new(
        deviceToken,
        type,
        type == ApnsPushType.Voip ? BundleId + ".voip" : BundleId,
        type == ApnsPushType.Background ? 5 : 10,
        type == ApnsPushType.Voip ? DateTimeOffset.UtcNow.AddSeconds(30) : null,
        type == ApnsPushType.Alert ? "thread-1" : null,
        Guid.NewGuid(),
        """{"aps":{"alert":{"loc-key":"MSG"},"mutable-content":1},"e":"ciphertext"}"""u8.ToArray());

    public async ValueTask DisposeAsync()
    {
        await Sandbox.DisposeAsync();
        Directory.Dispose();
    }
}
