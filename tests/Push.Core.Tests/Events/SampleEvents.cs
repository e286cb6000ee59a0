using System.Text;
using System.Text.Json.Nodes;

namespace Push.Core.Tests.Events;

/// <summary>Valid event documents of every type, as mutable JSON, for tables of valid and broken variants.</summary>
internal static class SampleEvents
{
    public const string IosToken = "a3f1c2d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9a";
    public const string VoipToken = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    public const string FcmToken = "dGVzdC1mY20tdG9rZW4:APA91bHPRgkF3JUikC4ENAHEeMrd41Zxv3hVZjC9KtT8OvPVGJ-hQMRKRrZuJAEcl7B338qju59zJMjw2DELjzEvxwYv7hH5Ynpc1ODQ0aT4U4OFEeco8ohsN5PjL1iC2dNtk2BAokeMCg2ZXKqpc8FXKmhX94kIxQ";
    public const string Key32 = "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=";

    public static JsonObject Envelope(string type, JsonObject data) => new()
    {
        ["specversion"] = "1.0",
        ["id"] = "3b1f6a2e-7c41-4c8e-9a55-0d3e2f1a9b77",
        ["type"] = type,
        ["source"] = "/cucm/cluster-a",
        ["time"] = "2026-03-01T12:00:00.123Z",
        ["subject"] = "alice@example.com",
        ["datacontenttype"] = "application/json",
        ["data"] = data,
    };

    public static JsonObject CallIncoming() => Envelope("push.call.incoming", new JsonObject
    {
        ["callId"] = "call-42",
        ["caller"] = new JsonObject { ["name"] = "Bob Builder", ["number"] = "+15551230001" },
        ["media"] = "audio",
        ["ringTimeoutSeconds"] = 30,
        ["activeNode"] = "cucm-sub2.example.com",
    });

    public static JsonObject CallEnded() => Envelope("push.call.ended", new JsonObject
    {
        ["callId"] = "call-42",
        ["reason"] = "missed",
        ["caller"] = new JsonObject { ["name"] = "Bob Builder", ["number"] = "+15551230001" },
    });

    public static JsonObject ImMessage() => Envelope("push.im.message", new JsonObject
    {
        ["conversationId"] = "conv-alice-bob",
        ["messageId"] = "msg-1",
        ["from"] = new JsonObject { ["name"] = "Bob Builder", ["address"] = "bob@example.com" },
        ["preview"] = "Lunch at noon?",
        ["unreadCount"] = 3,
    });

    public static JsonObject IosRegistered() => Envelope("push.device.registered", new JsonObject
    {
        ["deviceId"] = "iphone-1",
        ["platform"] = "ios",
        ["appId"] = "com.example.phone",
        ["pushToken"] = IosToken,
        ["voipToken"] = VoipToken,
        ["environment"] = "production",
        ["region"] = "CN",
        ["encryptionKey"] = new JsonObject { ["id"] = "k1", ["key"] = Key32 },
    });

    public static JsonObject AndroidRegistered() => Envelope("push.device.registered", new JsonObject
    {
        ["deviceId"] = "pixel-1",
        ["platform"] = "android",
        ["appId"] = "com.example.phone",
        ["pushToken"] = FcmToken,
        ["environment"] = "sandbox",
        ["encryptionKey"] = new JsonObject { ["id"] = "k1", ["key"] = Key32 },
    });

    public static JsonObject Unregistered() => Envelope("push.device.unregistered", new JsonObject { ["deviceId"] = "iphone-1" });

    public static byte[] Utf8(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString());

    /// <summary>A copy of <paramref name="document"/> changed by <paramref name="change"/>.</summary>
    public static JsonObject With(this JsonObject document, Action<JsonObject> change)
    {
        var copy = (JsonObject)document.DeepClone();
        change(copy);
        return copy;
    }

    public static JsonObject Data(this JsonObject document) => document["data"]!.AsObject();
}
