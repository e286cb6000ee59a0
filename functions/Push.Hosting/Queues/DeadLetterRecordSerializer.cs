using System.Text;
using System.Text.Json;

namespace Push.Hosting.Queues;

/// <summary>Writes a <see cref="DeadLetterRecord"/> as a queue message and reads it back.</summary>
public static class DeadLetterRecordSerializer
{
    /// <summary>The record as JSON bytes.</summary>
    public static byte[] ToJson(DeadLetterRecord record) =>
        JsonSerializer.SerializeToUtf8Bytes(record, DeadLetterRecordJsonContext.Default.DeadLetterRecord);

    /// <summary>The message text for a poison queue that uses <paramref name="encoding"/>.</summary>
    public static string ToMessageText(DeadLetterRecord record, QueueMessageEncoding encoding) =>
        MessageCodec.Encode(ToJson(record), encoding);

    /// <summary>
    /// Reads a poison-queue message text, plain JSON or base64 JSON (a base64 text never starts with '{', so either
    /// encoding is recognised without being told).
    /// </summary>
    /// <exception cref="FormatException">The text is not a dead-letter record this version can read.</exception>
    public static DeadLetterRecord FromMessageText(string messageText)
    {
        ArgumentNullException.ThrowIfNull(messageText);
        var trimmed = messageText.AsSpan().TrimStart();
        byte[] json;
        if (trimmed.Length > 0 && trimmed[0] == '{')
        {
            json = Encoding.UTF8.GetBytes(messageText);
        }
        else if (!MessageCodec.TryDecode(messageText, QueueMessageEncoding.Base64, out var decoded))
        {
            throw new FormatException("not a dead-letter record: neither JSON nor base64");
        }
        else
        {
            json = decoded.ToArray();
        }
        return FromJson(json);
    }

    /// <summary>Reads the JSON form.</summary>
    /// <exception cref="FormatException">The JSON is not a dead-letter record this version can read.</exception>
    public static DeadLetterRecord FromJson(ReadOnlySpan<byte> json)
    {
        DeadLetterRecord? record;
        try
        {
            record = JsonSerializer.Deserialize(json, DeadLetterRecordJsonContext.Default.DeadLetterRecord);
        }
        catch (JsonException ex)
        {
            throw new FormatException("not a dead-letter record: " + ex.GetType().Name, ex);
        }
        if (record is null) throw new FormatException("not a dead-letter record: null");
        if (record.SchemaVersion < 1 || record.SchemaVersion > DeadLetterRecord.CurrentSchemaVersion)
        {
            throw new FormatException($"dead-letter record schema version {record.SchemaVersion} is not supported (this build reads 1..{DeadLetterRecord.CurrentSchemaVersion})");
        }
        return record;
    }
}
