using System.Globalization;
using System.Text.Json;
using Push.Core.Registry;

namespace Push.Core.Events;

/// <summary>
/// Creates events for producers (and the CLI) with a fresh tracking id and time, and writes them as
/// CloudEvents 1.0 JSON. It writes only what <see cref="PushEventParser"/> accepts: an event that breaks the
/// contract throws instead of being published.
/// </summary>
public sealed class PushEventWriter
{
    private readonly string _source;
    private readonly TimeProvider _timeProvider;

    /// <param name="source">The producer, e.g. <c>/cucm/cluster-a</c>.</param>
    public PushEventWriter(string source, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        _source = source;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>A new event for <paramref name="subject"/> (the recipient user id), its type taken from the data.</summary>
    public PushEvent Create(string subject, PushEventData data)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        ArgumentNullException.ThrowIfNull(data);
        // Millisecond precision: what every producer language can write and read back unchanged.
        var now = _timeProvider.GetUtcNow();
        var time = new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
        return new PushEvent(Guid.NewGuid().ToString(), data.EventType, _source, time, subject, data);
    }

    /// <summary>Creates and serialises in one step.</summary>
    public byte[] Write(string subject, PushEventData data) => Serialize(Create(subject, data));

    /// <summary>The event as UTF-8 CloudEvents JSON.</summary>
    /// <exception cref="ArgumentException">The event breaks the contract; the message names the field, never its value.</exception>
    public static byte[] Serialize(PushEvent evt)
    {
        ArgumentNullException.ThrowIfNull(evt);
        if (evt.Type != evt.Data.EventType)
        {
            throw new ArgumentException($"The event type {evt.Type} does not match its data ({evt.Data.EventType}).", nameof(evt));
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("specversion", PushEventParser.SpecVersion);
            writer.WriteString("id", evt.Id);
            writer.WriteString("type", evt.Type);
            writer.WriteString("source", evt.Source);
            writer.WriteString("time", FormatTime(evt.Time));
            writer.WriteString("subject", evt.Subject);
            writer.WriteString("datacontenttype", "application/json");
            writer.WritePropertyName("data");
            WriteData(writer, evt.Data);
            writer.WriteEndObject();
        }

        var bytes = buffer.WrittenSpan.ToArray();
        var check = PushEventParser.Parse(bytes);
        if (!check.IsSuccess)
        {
            throw new ArgumentException("The event breaks the contract: " + check.Problem, nameof(evt));
        }
        return bytes;
    }

    /// <summary>RFC 3339 in UTC with up to 7 fractional digits, e.g. <c>2026-01-31T12:00:00.123Z</c>.</summary>
    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    private static void WriteData(Utf8JsonWriter writer, PushEventData data)
    {
        writer.WriteStartObject();
        switch (data)
        {
            case CallIncomingData call:
                writer.WriteString("callId", call.CallId);
                WriteParty(writer, "caller", call.Caller);
                writer.WriteString("media", call.Media);
                writer.WriteNumber("ringTimeoutSeconds", call.RingTimeoutSeconds);
                if (call.ActiveNode is not null) writer.WriteString("activeNode", call.ActiveNode);
                if (call.Devices is not null)
                {
                    writer.WriteStartArray("devices");
                    foreach (var device in call.Devices) writer.WriteStringValue(device);
                    writer.WriteEndArray();
                }
                break;
            case CallEndedData ended:
                writer.WriteString("callId", ended.CallId);
                writer.WriteString("reason", ended.Reason);
                WriteParty(writer, "caller", ended.Caller);
                break;
            case ImMessageData message:
                writer.WriteString("conversationId", message.ConversationId);
                writer.WriteString("messageId", message.MessageId);
                writer.WriteStartObject("from");
                if (message.From.Name is not null) writer.WriteString("name", message.From.Name);
                writer.WriteString("address", message.From.Address);
                writer.WriteEndObject();
                writer.WriteString("preview", message.Preview);
                writer.WriteNumber("unreadCount", message.UnreadCount);
                break;
            case DeviceRegisteredData device:
                writer.WriteString("deviceId", device.DeviceId);
                writer.WriteString("platform", device.Platform == DevicePlatform.Ios ? "ios" : "android");
                writer.WriteString("appId", device.AppId);
                writer.WriteString("pushToken", device.PushToken);
                if (device.VoipToken is not null) writer.WriteString("voipToken", device.VoipToken);
                writer.WriteString("environment", device.Environment == PushEnvironment.Production ? "production" : "sandbox");
                if (device.Region is not null) writer.WriteString("region", device.Region);
                writer.WriteStartObject("encryptionKey");
                writer.WriteString("id", device.EncryptionKey.Id);
                writer.WriteString("key", Convert.ToBase64String(device.EncryptionKey.Key));
                writer.WriteEndObject();
                break;
            case DeviceUnregisteredData gone:
                writer.WriteString("deviceId", gone.DeviceId);
                break;
            default:
                throw new ArgumentException($"Unknown event data {data.GetType().Name}.", nameof(data));
        }
        writer.WriteEndObject();
    }

    private static void WriteParty(Utf8JsonWriter writer, string name, Party party)
    {
        writer.WriteStartObject(name);
        if (party.Name is not null) writer.WriteString("name", party.Name);
        writer.WriteString("number", party.Number);
        writer.WriteEndObject();
    }
}
