using Microsoft.Extensions.Time.Testing;
using Push.Core.Events;
using Push.Core.Protection;
using Push.Core.Routing;
using Push.Core.Tests.Protection;

namespace Push.Core.Tests.Routing;

/// <summary>A composer with a real cipher, a fake clock and sample events.</summary>
internal sealed class ComposerFixture : IDisposable
{
    public static readonly DateTimeOffset EventTime = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public ComposerFixture()
    {
        Cipher = new AesGcmPayloadCipher(Protector);
        Composer = new PushComposer(Cipher, Clock, Options);
    }

    public TestKeyProtector Protector { get; } = new();
    public FakeTimeProvider Clock { get; } = new(EventTime.AddSeconds(2));
    public RoutingOptions Options { get; } = new() { ConversationHashKey = Convert.ToBase64String(new byte[32].Select((_, i) => (byte)i).ToArray()) };
    public AesGcmPayloadCipher Cipher { get; }
    public PushComposer Composer { get; }

    public static PushEvent Event(PushEventData data, string trackingId = "track-1") =>
        new(trackingId, data.EventType, "/cucm/cluster-a", EventTime, "alice", data);

    public static PushEvent Call(int ringSeconds = 30, string? activeNode = "cucm-sub2.example.com", IReadOnlyList<string>? devices = null,
        string callerName = "Bob Builder") =>
        Event(new CallIncomingData("call-42", new Party(callerName, "+15551230001"), CallMedia.Video, ringSeconds, activeNode, devices));

    public static PushEvent Ended() => Event(new CallEndedData("call-42", CallEndReasons.Missed, new Party("Bob Builder", "+15551230001")));

    public static PushEvent Message(string preview = "Lunch at noon?", string conversationId = "conv-alice-bob") =>
        Event(new ImMessageData(conversationId, "msg-1", new ImSender("Bob Builder", "bob@example.com"), preview, 3));

    public void Dispose() => Cipher.Dispose();
}
