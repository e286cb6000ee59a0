namespace Push.Sandbox.Security;

/// <summary>JWT's base64url (RFC 7515 §2): no padding, '-' and '_'; standard Base64 is refused.</summary>
internal static class Base64Url
{
    public static string Encode(ReadOnlySpan<byte> data) => System.Buffers.Text.Base64Url.EncodeToString(data);

    public static bool TryDecode(string text, out byte[] data)
    {
        data = [];
        if (text.Length == 0 || text.Contains('=') || text.Contains('+') || text.Contains('/')) return false;
        try
        {
            data = System.Buffers.Text.Base64Url.DecodeFromChars(text);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
