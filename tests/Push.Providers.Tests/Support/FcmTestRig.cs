using Microsoft.Extensions.Time.Testing;
using Push.Providers.Fcm;

namespace Push.Providers.Tests.Support;

internal sealed class FcmTestRig : IDisposable
{
    public FcmTestRig(Func<RecordedRequest, HttpResponseMessage> respond)
    {
        Handler = new RecordingHandler(respond);
        Options = new FcmOptions { Endpoint = new Uri("https://fcm.test") };
        Client = new FcmClient(Options, "demo-project", Tokens, Time, Logs.CreateLogger("fcm"), Handler);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
    public FakeFcmTokenSource Tokens { get; } = new();
    public CapturingLoggerProvider Logs { get; } = new();
    public RecordingHandler Handler { get; }
    public FcmOptions Options { get; }
    public FcmClient Client { get; }

    public static FcmMessage Message(int dataBytes = 0) => new(
        Token: "fcm-token-" + new string('q', 140),
        Data: dataBytes == 0
            ? new Dictionary<string, string> { ["type"] = "call", ["id"] = "evt-1" }
            : new Dictionary<string, string> { ["c"] = new string('x', dataBytes - 1) },
        Priority: FcmAndroidPriority.High,
        TimeToLive: TimeSpan.FromSeconds(28.7),
        CollapseKey: "conv-1");

    public void Dispose() => Client.Dispose();
}
