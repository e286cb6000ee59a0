using System.Security.Cryptography;
using System.Text;
using Push.Core.Events;
using Push.Core.Registry;

namespace Push.Core.Tests.DeadLetters;

/// <summary>Events and queue texts for the dead-letter tests, as producers publish them (CloudEvent JSON, base64).</summary>
internal static class TestEvents
{
    public static PushEvent Call(DateTimeOffset time, int ringTimeoutSeconds = 30) => new(
        Guid.NewGuid().ToString(), PushEventTypes.CallIncoming, "/tests", time, "user-1",
        new CallIncomingData("call-1", new Party("Secret Caller", "+15550001111"), CallMedia.Audio, ringTimeoutSeconds));

    public static PushEvent Im(DateTimeOffset time) => new(
        Guid.NewGuid().ToString(), PushEventTypes.ImMessage, "/tests", time, "user-1",
        new ImMessageData("conv-1", "msg-1", new ImSender("Secret Sender", "sender@example.com"), "secret preview text", 1));

    public static (PushEvent Event, string Key) DeviceRegistered(DateTimeOffset time)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var evt = new PushEvent(Guid.NewGuid().ToString(), PushEventTypes.DeviceRegistered, "/tests", time, "user-1",
            new DeviceRegisteredData("dev-1", DevicePlatform.Ios, "com.example.app", new string('a', 64), null,
                PushEnvironment.Production, null, new DeviceEncryptionKey("k1", key)));
        return (evt, Convert.ToBase64String(key));
    }

    /// <summary>An event with an id and a type but no subject: the relay dead-letters it as InvalidEvent:MissingField.</summary>
    public static (string TrackingId, byte[] Json) Malformed()
    {
        var id = Guid.NewGuid().ToString();
        return (id, Encoding.UTF8.GetBytes(
            $$$"""{"specversion":"1.0","id":"{{{id}}}","type":"push.im.message","source":"/tests","time":"2026-01-01T00:00:00Z","data":{"preview":"secret preview text"}}"""));
    }

    public static string QueueText(PushEvent evt) => Convert.ToBase64String(PushEventWriter.Serialize(evt));

    public static string QueueText(byte[] json) => Convert.ToBase64String(json);
}
