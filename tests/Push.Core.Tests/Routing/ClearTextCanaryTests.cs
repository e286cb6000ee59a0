using System.Text;
using Push.Core.Events;
using Push.Core.Routing;
using Push.Core.Tests.Protection;

namespace Push.Core.Tests.Routing;

/// <summary>
/// Nothing personal may travel in clear: composes every event type for every route with distinctive
/// names, numbers, previews and ids, and searches everything a provider sees for them.
/// </summary>
public sealed class ClearTextCanaryTests : IDisposable
{
    private static readonly string[] Canaries =
    [
        "Zebediah", "Quixote", "+447946012345", "447946012345", "zeb.canary@example.org", "CANARYPREVIEW",
        "conv-canary-7f3a", "call-canary-91b2", "msg-canary-55c1", "node-canary.example.net",
    ];

    private readonly ComposerFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    public static TheoryData<string> Routes() => new() { "ios", "ios-cn", "ios-no-voip", "android" };

    [Theory]
    [MemberData(nameof(Routes))]
    public void No_personal_data_or_conversation_id_appears_outside_the_ciphertext(string route)
    {
        var phone = route switch
        {
            "ios" => TestDevices.Ios(_fixture.Protector),
            "ios-cn" => TestDevices.Ios(_fixture.Protector, region: "CN"),
            "ios-no-voip" => TestDevices.Ios(_fixture.Protector, voipToken: false),
            _ => TestDevices.Android(_fixture.Protector),
        };
        var caller = new Party("Zebediah Quixote", "+447946012345");
        var events = new PushEventData[]
        {
            new CallIncomingData("call-canary-91b2", caller, CallMedia.Audio, 30, "node-canary.example.net"),
            new CallEndedData("call-canary-91b2", CallEndReasons.AnsweredElsewhere, caller),
            new ImMessageData("conv-canary-7f3a", "msg-canary-55c1", new ImSender("Zebediah Quixote", "zeb.canary@example.org"), "CANARYPREVIEW secret", 1),
        };

        foreach (var data in events)
        {
            var push = _fixture.Composer.Compose(ComposerFixture.Event(data, trackingId: "track-canary"), phone.Device, Guid.NewGuid());
            var visible = Visible(push);

            foreach (var canary in Canaries)
            {
                Assert.DoesNotContain(canary, visible, StringComparison.OrdinalIgnoreCase);
            }
            // The tracking id is the one id allowed in clear, which shows the search does see the clear fields.
            Assert.Contains("track-canary", visible, StringComparison.Ordinal);
            foreach (var canary in Canaries)
            {
                Assert.DoesNotContain(canary, push.ToString(), StringComparison.OrdinalIgnoreCase);
            }
        }
    }

    // Everything a provider, a proxy or a log line could see: headers, body and data values.
    private static string Visible(ComposedPush push) => push switch
    {
        ComposedPush.Apns apns => string.Join("\n", apns.Notification.DeviceToken, apns.Notification.Topic,
            apns.Notification.CollapseId, apns.Notification.ApnsId, Encoding.UTF8.GetString(apns.Notification.Payload.Span)),
        ComposedPush.Fcm fcm => string.Join("\n", fcm.Message.Token, fcm.Message.CollapseKey,
            string.Join("\n", fcm.Message.Data.Select(pair => pair.Key + "=" + pair.Value))),
        _ => throw new Xunit.Sdk.XunitException($"expected a push, got {push}"),
    };
}
