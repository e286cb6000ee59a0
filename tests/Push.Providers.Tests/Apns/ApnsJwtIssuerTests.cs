using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Push.Providers.Apns;
using Push.Providers.Tests.Support;

namespace Push.Providers.Tests.Apns;

public sealed class ApnsJwtIssuerTests : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, 500, TimeSpan.Zero));
    private readonly ApnsJwtIssuer _issuer;

    public ApnsJwtIssuerTests()
    {
        var copy = ECDsa.Create();
        copy.ImportParameters(_key.ExportParameters(true));
        _issuer = new ApnsJwtIssuer(TestKeys.TeamId, TestKeys.KeyId, copy, TimeSpan.FromMinutes(50), _time);
    }

    public void Dispose()
    {
        _issuer.Dispose();
        _key.Dispose();
    }

    [Fact]
    public async Task Token_has_ES256_header_team_claims_base64url_and_a_valid_signature()
    {
        var token = await _issuer.GetAsync(CancellationToken.None);

        var parts = token.Jwt.Split('.');
        Assert.Equal(3, parts.Length);
        Assert.All(parts, p => Assert.DoesNotMatch("[+/=]", p));
        using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
        Assert.Equal("ES256", header.RootElement.GetProperty("alg").GetString());
        Assert.Equal(TestKeys.KeyId, header.RootElement.GetProperty("kid").GetString());
        Assert.Equal(2, header.RootElement.EnumerateObject().Count());
        using var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
        Assert.Equal(TestKeys.TeamId, claims.RootElement.GetProperty("iss").GetString());
        Assert.Equal(_time.GetUtcNow().ToUnixTimeSeconds(), claims.RootElement.GetProperty("iat").GetInt64());
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(_time.GetUtcNow().ToUnixTimeSeconds()), token.IssuedAt);

        var signature = Base64Url.DecodeFromChars(parts[2]);
        Assert.Equal(64, signature.Length);
        using var publicKey = ECDsa.Create(_key.ExportParameters(false));
        Assert.True(publicKey.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature,
            HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    [Fact]
    public async Task ToString_never_prints_the_jwt()
    {
        var token = await _issuer.GetAsync(CancellationToken.None);

        Assert.DoesNotContain(token.Jwt, token.ToString());
        Assert.DoesNotContain(token.Jwt.Split('.')[2], token.ToString());
        Assert.Contains(TokenHash.Of(token.Jwt), token.ToString());
    }

    [Fact]
    public async Task Thousand_concurrent_gets_and_refreshes_mint_once_within_20_minutes()
    {
        var first = await _issuer.GetAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(19));

        var tasks = Enumerable.Range(0, 1000).Select(i => Task.Run(async () => i % 2 == 0
            ? await _issuer.GetAsync(CancellationToken.None)
            : await _issuer.RefreshAfterRejectionAsync(first, CancellationToken.None)));
        var tokens = await Task.WhenAll(tasks);

        Assert.Equal(1, _issuer.MintCount);
        Assert.All(tokens, t => Assert.Same(first, t));
    }

    [Fact]
    public async Task Thousand_concurrent_refreshes_past_20_minutes_share_one_new_token()
    {
        var first = await _issuer.GetAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(21));

        var tasks = Enumerable.Range(0, 1000).Select(i => Task.Run(async () => i % 2 == 0
            ? await _issuer.GetAsync(CancellationToken.None)
            : await _issuer.RefreshAfterRejectionAsync(first, CancellationToken.None)));
        var tokens = await Task.WhenAll(tasks);

        Assert.Equal(2, _issuer.MintCount);
        // Gets that ran before the refresh still see the first token; every refresh got the same new one.
        var refreshed = tokens.Where((_, i) => i % 2 == 1).Distinct().ToArray();
        var second = Assert.Single(refreshed);
        Assert.NotEqual(first.Jwt, second.Jwt);
    }

    [Fact]
    public async Task Remints_on_schedule_after_TokenRefreshInterval()
    {
        var first = await _issuer.GetAsync(CancellationToken.None);

        _time.Advance(TimeSpan.FromMinutes(49));
        Assert.Same(first, await _issuer.GetAsync(CancellationToken.None));

        _time.Advance(TimeSpan.FromMinutes(1));
        var second = await _issuer.GetAsync(CancellationToken.None);

        Assert.NotEqual(first.Jwt, second.Jwt);
        Assert.Equal(2, _issuer.MintCount);
        Assert.Equal(first.IssuedAt + TimeSpan.FromMinutes(50), second.IssuedAt);
    }

    [Fact]
    public async Task Refresh_for_an_already_replaced_token_returns_the_newer_one_without_minting()
    {
        var first = await _issuer.GetAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(50));
        var second = await _issuer.GetAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(30));

        var answer = await _issuer.RefreshAfterRejectionAsync(first, CancellationToken.None);

        Assert.Same(second, answer);
        Assert.Equal(2, _issuer.MintCount);
    }
}
