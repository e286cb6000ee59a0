using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using Push.Sandbox.Apns;

namespace Push.Sandbox.Tests;

/// <summary>
/// The sandbox verifies a provider token's signature once and remembers it by its exact text; these show what the cache
/// must never change: a token that differs by one byte is verified again (and refused), and a cached token still expires.
/// </summary>
public sealed class ApnsProviderTokenCacheTests : IDisposable
{
    private const string TeamId = "TEAM123456";
    private const string KeyId = "KEY1234567";
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly ApnsProviderTokenVerifier _verifier;

    public ApnsProviderTokenCacheTests()
    {
        var registered = new SandboxState.ApnsKey(TeamId, KeyId, _key, new HashSet<string> { "com.example.app" });
        _verifier = new ApnsProviderTokenVerifier(kid => kid == KeyId ? registered : null, _time);
    }

    [Fact]
    public void A_reused_token_is_verified_once_and_accepted_each_time()
    {
        var token = TestJwts.ApnsProviderToken(_key, KeyId, TeamId, _time.GetUtcNow());

        for (var i = 0; i < 3; i++)
        {
            var result = _verifier.Check("bearer " + token);
            Assert.Null(result.Reason);
            Assert.Equal(TeamId, result.Key!.TeamId);
        }
        Assert.Equal(1, _verifier.SignatureVerifications);
    }

    [Fact]
    public void A_tampered_copy_of_a_cached_token_is_still_rejected()
    {
        var token = TestJwts.ApnsProviderToken(_key, KeyId, TeamId, _time.GetUtcNow());
        Assert.Null(_verifier.Check("bearer " + token).Reason);

        // One character of the signature changed: a different token to the cache, so its signature is checked again.
        var signatureStart = token.LastIndexOf('.') + 1;
        var flipped = token[signatureStart] == 'A' ? 'B' : 'A';
        var tampered = token[..signatureStart] + flipped + token[(signatureStart + 1)..];
        Assert.Equal(ApnsReasons.InvalidProviderToken, _verifier.Check("bearer " + tampered).Reason);

        // The claims changed (a later iat) but the signature kept: refused too.
        var later = TestJwts.ApnsProviderToken(_key, KeyId, TeamId, _time.GetUtcNow().AddSeconds(30));
        var forged = later[..later.LastIndexOf('.')] + token[token.LastIndexOf('.')..];
        Assert.Equal(ApnsReasons.InvalidProviderToken, _verifier.Check("bearer " + forged).Reason);
        Assert.Equal(3, _verifier.SignatureVerifications);
    }

    [Fact]
    public void A_cached_token_expires_after_an_hour_like_any_other()
    {
        var token = TestJwts.ApnsProviderToken(_key, KeyId, TeamId, _time.GetUtcNow());
        Assert.Null(_verifier.Check("bearer " + token).Reason);

        _time.Advance(TimeSpan.FromMinutes(61));

        Assert.Equal(ApnsReasons.ExpiredProviderToken, _verifier.Check("bearer " + token).Reason);
        Assert.Equal(1, _verifier.SignatureVerifications);
    }

    [Fact]
    public void A_token_signed_by_another_key_is_never_cached_as_verified()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var token = TestJwts.ApnsProviderToken(other, KeyId, TeamId, _time.GetUtcNow());

        Assert.Equal(ApnsReasons.InvalidProviderToken, _verifier.Check("bearer " + token).Reason);
        Assert.Equal(ApnsReasons.InvalidProviderToken, _verifier.Check("bearer " + token).Reason);
        Assert.Equal(2, _verifier.SignatureVerifications);
    }

    public void Dispose() => _key.Dispose();
}
