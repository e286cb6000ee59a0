using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Push.Providers.Fcm;

/// <summary>Writes the HTTP v1 <c>messages:send</c> body for one <see cref="FcmMessage"/>.</summary>
internal static class FcmMessageSerializer
{
    public static byte[] Serialize(FcmMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + FcmMessage.DataSize(message.Data));
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartObject("message");
            w.WriteString("token", message.Token);
            w.WriteStartObject("data");
            foreach (var (key, value) in message.Data)
            {
                w.WriteString(key, value);
            }
            w.WriteEndObject();
            w.WriteStartObject("android");
            w.WriteString("priority", message.Priority == FcmAndroidPriority.High ? "high" : "normal");
            if (message.TimeToLive is { } ttl)
            {
                var seconds = Math.Max(0L, (long)Math.Floor(ttl.TotalSeconds));
                w.WriteString("ttl", seconds.ToString(CultureInfo.InvariantCulture) + "s");
            }
            if (!string.IsNullOrEmpty(message.CollapseKey))
            {
                w.WriteString("collapse_key", message.CollapseKey);
            }
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
