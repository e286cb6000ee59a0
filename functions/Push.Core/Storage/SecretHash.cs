using System.Security.Cryptography;
using System.Text;

namespace Push.Core.Storage;

/// <summary>
/// The project's short fingerprint for secrets (tokens, keys): the first 8 hex characters of SHA-256.
/// Enough to match a log line to a device, far too short to recover or confirm a guessed token cheaply.
/// </summary>
public static class SecretHash
{
    public static string Of(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(secret), hash);
        return Convert.ToHexStringLower(hash[..4]);
    }

    public static string? OfOptional(string? secret) => secret is null ? null : Of(secret);
}
