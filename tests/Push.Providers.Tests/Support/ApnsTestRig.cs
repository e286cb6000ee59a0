using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using Push.Providers.Apns;

namespace Push.Providers.Tests.Support;

/// <summary>An <see cref="ApnsClient"/> over a fake handler, with a real issuer on fake time.</summary>
internal sealed class ApnsTestRig : IDisposable
{
    public ApnsTestRig(Func<RecordedRequest, CancellationToken, Task<HttpResponseMessage>> respond, Action<ApnsOptions>? configure = null)
    {
        Key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Time = new FakeTimeProvider(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
        Handler = new RecordingHandler(respond);
        Options = new ApnsOptions { Endpoint = new Uri("https://apns.test"), TeamId = TestKeys.TeamId, KeyId = TestKeys.KeyId };
        configure?.Invoke(Options);
        var signingKey = ECDsa.Create();
        signingKey.ImportParameters(Key.ExportParameters(true));
        Logs = new CapturingLoggerProvider();
        Issuer = new ApnsJwtIssuer(TestKeys.TeamId, TestKeys.KeyId, signingKey, Options.TokenRefreshInterval, Time, Logs.CreateLogger("issuer"));
        Client = new ApnsClient(Options, Issuer, Time, Logs.CreateLogger("apns"), () => Handler);
    }

    public ApnsTestRig(Func<RecordedRequest, HttpResponseMessage> respond, Action<ApnsOptions>? configure = null)
        : this((r, _) => Task.FromResult(respond(r)), configure)
    {
    }

    public ECDsa Key { get; }
    public FakeTimeProvider Time { get; }
    public RecordingHandler Handler { get; }
    public ApnsOptions Options { get; }
    public CapturingLoggerProvider Logs { get; }
    public ApnsJwtIssuer Issuer { get; }
    public ApnsClient Client { get; }

    public static ApnsNotification Alert(string? collapseId = null, int payloadBytes = 0) => new(
        DeviceToken: new string('a', 64),
        PushType: ApnsPushType.Alert,
        Topic: "com.example.app",
        Priority: 10,
        Expiration: null,
        CollapseId: collapseId,
        ApnsId: Guid.NewGuid(),
        Payload: payloadBytes == 0 ? """{"aps":{"alert":"x"}}"""u8.ToArray() : Payload(payloadBytes));

    public static byte[] Payload(int size)
    {
        var bytes = new byte[size];
        Array.Fill(bytes, (byte)'x');
        "{\"p\":\""u8.CopyTo(bytes);
        "\"}"u8.CopyTo(bytes.AsSpan(size - 2));
        return bytes;
    }

    public void Dispose()
    {
        Client.Dispose();
        Issuer.Dispose();
        Key.Dispose();
    }
}
