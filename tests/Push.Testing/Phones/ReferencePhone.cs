using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Push.Testing.Phones;

/// <summary>
/// Plays the phone: opens a push exactly as docs/ENVELOPE.md tells the iOS and Android teams to, written from
/// that page and independent of the relay's own code, so that a mistake in one cannot hide in the other.
/// </summary>
public static class ReferencePhone
{
    /// <summary>What the phone learns from a push: the clear fields and the decrypted plaintext JSON.</summary>
    public sealed record OpenedPush(int Version, string Type, string TrackingId, string KeyId, string PlaintextJson)
    {
        public JsonElement Plaintext => JsonDocument.Parse(PlaintextJson).RootElement;
    }

    /// <summary>Opens an APNs body: the envelope object under the top-level key <c>enc</c>.</summary>
    /// <exception cref="CryptographicException">Wrong key, wrong device or tampered bytes.</exception>
    /// <exception cref="InvalidDataException">The body does not hold a well-formed envelope.</exception>
    public static OpenedPush OpenApns(ReadOnlySpan<byte> apnsBody, ReadOnlySpan<byte> deviceKey, string deviceId)
    {
        using var document = JsonDocument.Parse(apnsBody.ToArray());
        if (!document.RootElement.TryGetProperty("enc", out var envelope) || envelope.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException("The APNs body has no 'enc' object.");
        }
        var version = envelope.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.Number
            ? v.GetInt32()
            : throw new InvalidDataException("'enc.version' must be a number.");
        return Open(version, Field(envelope, "type"), Field(envelope, "trackingId"), Field(envelope, "keyId"),
            Field(envelope, "nonce"), Field(envelope, "ciphertext"), deviceKey, deviceId);
    }

    /// <summary>Opens an FCM data message: the envelope fields as string values of <c>data</c>.</summary>
    public static OpenedPush OpenFcm(IReadOnlyDictionary<string, string> data, ReadOnlySpan<byte> deviceKey, string deviceId)
    {
        string Get(string name) => data.TryGetValue(name, out var value) ? value : throw new InvalidDataException($"FCM data has no '{name}'.");
        if (!int.TryParse(Get("version"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version))
        {
            throw new InvalidDataException("FCM data 'version' is not a number.");
        }
        return Open(version, Get("type"), Get("trackingId"), Get("keyId"), Get("nonce"), Get("ciphertext"), deviceKey, deviceId);
    }

    private static OpenedPush Open(int version, string type, string trackingId, string keyId, string nonceText, string ciphertextText,
        ReadOnlySpan<byte> deviceKey, string deviceId)
    {
        if (version != 1)
        {
            throw new InvalidDataException("Only envelope version 1 is known.");
        }
        if (deviceKey.Length != 32)
        {
            throw new ArgumentException("A device key is 32 bytes.", nameof(deviceKey));
        }
        var nonce = FromBase64Url(nonceText);
        var sealedBytes = FromBase64Url(ciphertextText);
        if (nonce.Length != 12 || sealedBytes.Length < 16)
        {
            throw new InvalidDataException("The nonce must be 12 bytes and the ciphertext at least the 16-byte tag.");
        }

        var associatedData = Encoding.UTF8.GetBytes($"push-relay/v1\n{type}\n{trackingId}\n{deviceId}");
        var ciphertext = sealedBytes.AsSpan(0, sealedBytes.Length - 16);
        var tag = sealedBytes.AsSpan(sealedBytes.Length - 16);
        var plaintext = new byte[ciphertext.Length];
        using (var aes = new AesGcm(deviceKey, 16))
        {
            aes.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);
        }
        return new OpenedPush(version, type, trackingId, keyId, Encoding.UTF8.GetString(plaintext));
    }

    private static string Field(JsonElement envelope, string name) =>
        envelope.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new InvalidDataException($"'enc.{name}' must be a string.");

    private static byte[] FromBase64Url(string text)
    {
        if (text.Contains('=') || text.Contains('+') || text.Contains('/'))
        {
            throw new InvalidDataException("Binary fields are base64url without padding.");
        }
        return Base64Url.DecodeFromChars(text);
    }
}
