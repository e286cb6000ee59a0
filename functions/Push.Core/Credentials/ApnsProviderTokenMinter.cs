using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Push.Providers.Apns;

namespace Push.Core.Credentials;

/// <summary>
/// Mints one APNs provider token for the configured team and key, signing with the key read from
/// <see cref="ProviderSecretSource"/> each time. Signing itself is <see cref="ApnsJwtIssuer"/>'s.
/// </summary>
public class ApnsProviderTokenMinter
{
    /// <summary>Apple rejects provider tokens older than an hour.</summary>
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromMinutes(60);

    private readonly ProviderSecretSource _secrets;
    private readonly TimeProvider _timeProvider;
    private int _mintCount;

    public ApnsProviderTokenMinter(ProviderSecretSource secrets, IOptions<ApnsOptions> options, TimeProvider timeProvider)
    {
        _secrets = secrets;
        _timeProvider = timeProvider;
        TeamId = options.Value.TeamId;
        KeyId = options.Value.KeyId;
        RefreshInterval = options.Value.TokenRefreshInterval;
    }

    public string TeamId { get; }

    public string KeyId { get; }

    /// <summary>Apns:TokenRefreshInterval: the age at which a stored token is replaced on schedule.</summary>
    public TimeSpan RefreshInterval { get; }

    /// <summary>False when no team is configured (the relay then serves FCM only).</summary>
    public bool IsConfigured => !string.IsNullOrEmpty(TeamId);

    public ProviderTokenKey Key => ProviderTokenKey.Apns(TeamId, KeyId);

    /// <summary>
    /// Tokens minted by this object, a mint that then lost the store race included: the shared store exists so that the
    /// instances together stay within Apple's one new token per 20 minutes, and only this count shows a mint that lost.
    /// </summary>
    public int MintCount => Volatile.Read(ref _mintCount);

    /// <exception cref="ProviderSecretException">The key is missing or not a PKCS#8 P-256 PEM (<see cref="ApnsSigningKey"/>).</exception>
    public virtual async Task<MintedProviderToken> MintAsync(CancellationToken cancellationToken)
    {
        var pem = await _secrets.GetApnsKeyPemAsync(cancellationToken).ConfigureAwait(false);
        ECDsa key;
        try
        {
            // The same checks as at start (PKCS#8, curve P-256), wherever the key came from.
            key = ApnsSigningKey.Parse(pem, _secrets.ApnsKeyOrigin);
        }
        catch (InvalidOperationException ex)
        {
            throw new ProviderSecretException(ex.Message);
        }
        // A fresh issuer mints on first use; it owns and disposes the key.
        using var issuer = new ApnsJwtIssuer(TeamId, KeyId, key, ApnsJwtIssuer.MinimumMintInterval, _timeProvider);
        var token = await issuer.GetAsync(cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _mintCount);
        return new MintedProviderToken(token.Jwt, token.IssuedAt, token.IssuedAt + TokenLifetime);
    }
}
