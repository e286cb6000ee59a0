using System.Security.Cryptography;
using System.Text;

namespace Push.Providers;

/// <summary>
/// A short, stable fingerprint of a secret or device token for logs: enough to correlate lines,
/// far too short to recover or replay the value.
/// </summary>
public static class TokenHash
{
    /// <summary>The first 8 lower-case hex characters of the SHA-256 of the value's UTF-8 bytes.</summary>
    public static string Of(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "(none)";
        }
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(value), hash);
        return Convert.ToHexStringLower(hash[..4]);
    }
}
