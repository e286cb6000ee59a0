using System.Collections.Concurrent;
using System.Security.Cryptography;
using Push.Sandbox.Security;

namespace Push.Sandbox.Apns;

/// <summary>
/// Checks an APNs provider token (ES256 JWT) as Apple does. The ECDSA signature of a token is verified once: a token
/// whose signature checked out is remembered by its exact text, so a client that reuses its token for 20-60 minutes (as
/// Apple asks) costs one verification, not one per push; the sandbox would otherwise be the ceiling of every client
/// comparison. The key, the issuer's team and the token's age are still checked on every request, as Apple does: a
/// cached token expires like any other, and a token that differs in a single byte is a different key here and is
/// verified from scratch.
/// </summary>
internal sealed class ApnsProviderTokenVerifier(Func<string, SandboxState.ApnsKey?> findKey, TimeProvider time)
{
    /// <summary>Clock skew tolerated for an iat slightly ahead of the sandbox clock.</summary>
    private static readonly TimeSpan AllowedSkew = TimeSpan.FromMinutes(1);

    /// <summary>Apple: a provider token older than one hour is expired.</summary>
    private static readonly TimeSpan MaxTokenAge = TimeSpan.FromHours(1);

    /// <summary>A client holds one token at a time; a few thousand distinct ones mean a test that mints per request: start over.</summary>
    private const int MaxCachedTokens = 4096;

    private readonly ConcurrentDictionary<string, Verified> _verified = new(StringComparer.Ordinal);

    private sealed record Verified(string KeyId, string Issuer, long IssuedAt);

    public readonly record struct Result(string? Reason, SandboxState.ApnsKey? Key, long IssuedAt);

    /// <summary>How many tokens had their signature verified (not served from the cache): what the tests observe.</summary>
    public int SignatureVerifications => Volatile.Read(ref _signatureVerifications);

    private int _signatureVerifications;

    public Result Check(string authorization)
    {
        const string scheme = "bearer ";
        if (!authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return Invalid;
        var token = authorization[scheme.Length..].Trim();
        if (!_verified.TryGetValue(token, out var verified))
        {
            verified = VerifySignature(token);
            if (verified is null) return Invalid;
            if (_verified.Count >= MaxCachedTokens) _verified.Clear();
            _verified[token] = verified;
        }

        // Every request, cached or not: the key must still be known, the issuer must be its team, and the token young enough.
        var key = findKey(verified.KeyId);
        if (key is null || verified.Issuer != key.TeamId) return Invalid;
        var issued = DateTimeOffset.FromUnixTimeSeconds(verified.IssuedAt);
        var now = time.GetUtcNow();
        if (issued > now + AllowedSkew) return Invalid;
        if (now - issued > MaxTokenAge) return new Result(ApnsReasons.ExpiredProviderToken, null, 0);
        return new Result(null, key, verified.IssuedAt);
    }

    private static Result Invalid => new(ApnsReasons.InvalidProviderToken, null, 0);

    private Verified? VerifySignature(string token)
    {
        var jwt = CompactJwt.TryParse(token);
        if (jwt is null || jwt.HeaderString("alg") != "ES256") return null;
        var keyId = jwt.HeaderString("kid");
        var key = keyId is null ? null : findKey(keyId);
        var issuer = jwt.ClaimString("iss");
        if (key is null || issuer != key.TeamId || jwt.ClaimSeconds("iat") is not { } iat) return null;
        Interlocked.Increment(ref _signatureVerifications);
        if (jwt.Signature.Length != 64
            || !key.PublicKey.VerifyData(jwt.SigningInput, jwt.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
        {
            return null;
        }
        return new Verified(key.KeyId, issuer, iat);
    }
}
