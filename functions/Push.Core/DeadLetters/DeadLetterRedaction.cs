using System.Text.Json;
using System.Text.Json.Nodes;

namespace Push.Core.DeadLetters;

/// <summary>
/// Removes device keys from an event before it is archived or shown. A <c>push.device.registered</c> event carries
/// the device's AES key in clear (<c>data.encryptionKey.key</c>); the archive must not become a second key store, so the
/// key is replaced and the archived copy is marked not replayable (the device registers again with a new key).
/// </summary>
public static class DeadLetterRedaction
{
    public const string RedactedValue = "[redacted]";

    /// <summary>
    /// The body with every <c>data.encryptionKey.key</c> replaced, or null when there is none (keep the original).
    /// Looked for in any JSON object body, whatever its type: an invalid device event can still hold a real key.
    /// </summary>
    public static string? RedactKeys(ReadOnlyMemory<byte> body)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body.Span);
        }
        catch (JsonException)
        {
            return null;
        }
        if (root is not JsonObject obj || obj["data"] is not JsonObject data || data["encryptionKey"] is not JsonObject key ||
            !key.ContainsKey("key"))
        {
            return null;
        }
        key["key"] = RedactedValue;
        return root.ToJsonString();
    }

    /// <summary>
    /// Whether raw bytes that are not JSON might still hold a key (an undecodable body is archived as is): then the
    /// bytes are not stored at all.
    /// </summary>
    public static bool MayHoldKey(ReadOnlySpan<byte> raw) => raw.IndexOf("encryptionKey"u8) >= 0;
}
