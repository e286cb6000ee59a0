using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Push.Core.Events;

namespace Push.Core.Routing;

/// <summary>The JSON sealed inside each envelope (docs/ENVELOPE.md, "Plaintext").</summary>
internal static class PushPlaintext
{
    // Non-ASCII stays raw UTF-8 rather than \uXXXX: smaller, so longer previews fit. The plaintext is
    // only ever read by the app's JSON parser, never embedded in HTML, so relaxed escaping is safe.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] CallIncoming(PushEvent evt, CallIncomingData call) => Write(writer =>
    {
        writer.WriteString("callId", call.CallId);
        WriteParty(writer, call.Caller);
        writer.WriteString("media", call.Media);
        writer.WriteString("ringExpiresAt", PushEventWriter.FormatTime(evt.Time.AddSeconds(call.RingTimeoutSeconds)));
        if (call.ActiveNode is not null) writer.WriteString("activeNode", call.ActiveNode);
        writer.WriteString("eventTime", PushEventWriter.FormatTime(evt.Time));
    });

    public static byte[] CallEnded(PushEvent evt, CallEndedData ended) => Write(writer =>
    {
        writer.WriteString("callId", ended.CallId);
        writer.WriteString("reason", ended.Reason);
        WriteParty(writer, ended.Caller);
        writer.WriteString("eventTime", PushEventWriter.FormatTime(evt.Time));
    });

    public static byte[] ImMessage(PushEvent evt, ImMessageData message, string preview, bool truncated) => Write(writer =>
    {
        writer.WriteString("conversationId", message.ConversationId);
        writer.WriteString("messageId", message.MessageId);
        writer.WriteStartObject("from");
        if (message.From.Name is not null) writer.WriteString("name", message.From.Name);
        writer.WriteString("address", message.From.Address);
        writer.WriteEndObject();
        writer.WriteString("preview", preview);
        writer.WriteBoolean("truncated", truncated);
        writer.WriteNumber("unreadCount", message.UnreadCount);
        writer.WriteString("eventTime", PushEventWriter.FormatTime(evt.Time));
    });

    private static void WriteParty(Utf8JsonWriter writer, Party caller)
    {
        writer.WriteStartObject("caller");
        if (caller.Name is not null) writer.WriteString("name", caller.Name);
        writer.WriteString("number", caller.Number);
        writer.WriteEndObject();
    }

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
