using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Push.Core.Tests.DeadLetters;

/// <summary>
/// The host's dead-letter record (Push.Hosting's DeadLetterRecord, schema 1: camelCase JSON, base64 on the poison queue),
/// written and read here because this project does not reference the hosting runtime.
/// </summary>
internal static class PoisonRecords
{
    public static string Text(string queue, string messageId, string reason, string originalMessageText, DateTimeOffset insertedOn,
        DateTimeOffset deadLetteredOn, long dequeueCount = 5, string? description = null)
    {
        var json = new JsonObject
        {
            ["schemaVersion"] = 1,
            ["queueName"] = queue,
            ["messageId"] = messageId,
            ["functionName"] = "Test",
            ["reason"] = reason,
            ["description"] = description,
            ["dequeueCount"] = dequeueCount,
            ["insertedOn"] = insertedOn,
            ["deadLetteredOn"] = deadLetteredOn,
            ["messageEncoding"] = "base64",
            ["originalMessage"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(originalMessageText)),
        };
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json.ToJsonString()));
    }

    /// <summary>The record's fields, or null when the text is not one (as the host's reader decides).</summary>
    public static JsonElement? TryRead(string text)
    {
        try
        {
            var json = text.TrimStart().StartsWith('{') ? Encoding.UTF8.GetBytes(text) : Convert.FromBase64String(text);
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object ||
                !document.RootElement.TryGetProperty("originalMessage", out var original) || original.ValueKind != JsonValueKind.String)
            {
                return null;
            }
            _ = Convert.FromBase64String(original.GetString()!);
            return document.RootElement.Clone();
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
    }
}
