using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;

namespace Push.Core.Protection;

/// <summary>
/// What a device receives (docs/ENVELOPE.md): everything but <see cref="Ciphertext"/> is in clear, and none
/// of it is personal data. <see cref="Ciphertext"/> is the AES-256-GCM ciphertext followed by its 16-byte tag.
/// </summary>
/// <param name="Type">The event type the plaintext belongs to, e.g. <c>push.call.incoming</c>.</param>
/// <param name="KeyId">Which of the device's keys sealed it (the id the device registered).</param>
public sealed record PushEnvelope(int Version, string Type, string TrackingId, string KeyId, byte[] Nonce, byte[] Ciphertext)
{
    public const int CurrentVersion = 1;
    public const int NonceBytes = 12;
    public const int TagBytes = 16;

    /// <summary>The top-level key of the APNs payload (beside <c>aps</c>) that holds the envelope object.</summary>
    public const string ApnsPayloadKey = "enc";

    public const string VersionField = "version";
    public const string TypeField = "type";
    public const string TrackingIdField = "trackingId";
    public const string KeyIdField = "keyId";
    public const string NonceField = "nonce";
    public const string CiphertextField = "ciphertext";

    /// <summary>Writes the envelope as the JSON object that sits under <see cref="ApnsPayloadKey"/>; binary fields base64url without padding.</summary>
    public void WriteJson(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteNumber(VersionField, Version);
        writer.WriteString(TypeField, Type);
        writer.WriteString(TrackingIdField, TrackingId);
        writer.WriteString(KeyIdField, KeyId);
        writer.WriteString(NonceField, Base64Url.EncodeToString(Nonce));
        writer.WriteString(CiphertextField, Base64Url.EncodeToString(Ciphertext));
        writer.WriteEndObject();
    }

    /// <summary>The envelope as FCM <c>data</c>: the same fields, every value a string.</summary>
    public Dictionary<string, string> ToFcmData() => new(StringComparer.Ordinal)
    {
        [VersionField] = Version.ToString(CultureInfo.InvariantCulture),
        [TypeField] = Type,
        [TrackingIdField] = TrackingId,
        [KeyIdField] = KeyId,
        [NonceField] = Base64Url.EncodeToString(Nonce),
        [CiphertextField] = Base64Url.EncodeToString(Ciphertext),
    };

    /// <summary>The length of a base64url text (no padding) of <paramref name="byteCount"/> bytes.</summary>
    public static int Base64UrlLength(int byteCount) => Base64Url.GetEncodedLength(byteCount);

    public override string ToString() =>
        $"PushEnvelope {{ Version = {Version}, Type = {Type}, TrackingId = {TrackingId}, KeyId = {KeyId}, CiphertextBytes = {Ciphertext.Length} }}";
}
