using System.Text;
using System.Text.Json;

namespace Push.Sandbox.Security;

/// <summary>A JWS compact serialization split into its parts; the signature is not checked here.</summary>
internal sealed class CompactJwt
{
    private CompactJwt(JsonElement header, JsonElement claims, byte[] signingInput, byte[] signature)
    {
        Header = header;
        Claims = claims;
        SigningInput = signingInput;
        Signature = signature;
    }

    public JsonElement Header { get; }
    public JsonElement Claims { get; }
    public byte[] SigningInput { get; }
    public byte[] Signature { get; }

    public static CompactJwt? TryParse(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3) return null;
        if (!Base64Url.TryDecode(parts[0], out var header) || !Base64Url.TryDecode(parts[1], out var claims)
            || !Base64Url.TryDecode(parts[2], out var signature))
        {
            return null;
        }
        try
        {
            using var headerDoc = JsonDocument.Parse(header);
            using var claimsDoc = JsonDocument.Parse(claims);
            if (headerDoc.RootElement.ValueKind != JsonValueKind.Object || claimsDoc.RootElement.ValueKind != JsonValueKind.Object) return null;
            return new CompactJwt(headerDoc.RootElement.Clone(), claimsDoc.RootElement.Clone(),
                Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public string? HeaderString(string name) => StringOf(Header, name);

    public string? ClaimString(string name) => StringOf(Claims, name);

    /// <summary>A NumericDate claim (RFC 7519: seconds, integer or not); null when absent or not a number.</summary>
    public long? ClaimSeconds(string name)
    {
        if (!Claims.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Number) return null;
        if (value.TryGetInt64(out var whole)) return whole;
        return value.TryGetDouble(out var real) ? (long)Math.Floor(real) : null;
    }

    private static string? StringOf(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
