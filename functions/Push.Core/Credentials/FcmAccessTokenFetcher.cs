using System.Security.Cryptography;
using Google.Apis.Auth.OAuth2;
using Microsoft.Extensions.Options;
using Push.Providers.Fcm;

namespace Push.Core.Credentials;

/// <summary>
/// Fetches one FCM access token for the service account read from <see cref="ProviderSecretSource"/> (the
/// JSON is read at each fetch, so a rotated key needs no restart), from the token endpoint the JSON names.
/// </summary>
public class FcmAccessTokenFetcher
{
    private readonly ProviderSecretSource _secrets;
    private readonly FcmOptions _options;
    private readonly TimeProvider _timeProvider;
    private volatile string? _clientEmail;

    public FcmAccessTokenFetcher(ProviderSecretSource secrets, IOptions<FcmOptions> options, TimeProvider timeProvider)
    {
        _secrets = secrets;
        _options = options.Value;
        _timeProvider = timeProvider;
    }

    /// <summary>False when neither a service-account file nor Key Vault is configured.</summary>
    public bool IsConfigured => _secrets.UsesKeyVault || !string.IsNullOrEmpty(_options.ServiceAccountPath);

    /// <summary>The store key (the service account's client_email), read from the secret once.</summary>
    public async Task<ProviderTokenKey> GetKeyAsync(CancellationToken cancellationToken)
    {
        if (_clientEmail is { } known)
        {
            return ProviderTokenKey.Fcm(known);
        }
        var account = Parse(await _secrets.GetFcmServiceAccountJsonAsync(cancellationToken).ConfigureAwait(false));
        _clientEmail = account.ClientEmail;
        return ProviderTokenKey.Fcm(account.ClientEmail);
    }

    /// <exception cref="ProviderSecretException">The JSON is missing or malformed.</exception>
    public virtual async Task<MintedProviderToken> FetchAsync(CancellationToken cancellationToken)
    {
        var account = Parse(await _secrets.GetFcmServiceAccountJsonAsync(cancellationToken).ConfigureAwait(false));
        _clientEmail ??= account.ClientEmail;
        ServiceAccountCredential credential;
        try
        {
            credential = GoogleServiceAccountCredentials.Create(_options, _timeProvider, account.ClientEmail, account.TokenUri.AbsoluteUri,
                account.PrivateKeyId, account.PrivateKeyPem);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException or FormatException)
        {
            throw new ProviderSecretException($"{_secrets.FcmServiceAccountOrigin} has a 'private_key' that is not a PEM RSA private key");
        }
        var requestedAt = _timeProvider.GetUtcNow();
        await credential.RequestAccessTokenAsync(cancellationToken).ConfigureAwait(false);
        var response = credential.Token ?? throw new InvalidOperationException("the token endpoint answered without a token");
        // expires_in counts from the answer; measuring from the request errs on the safe side.
        return new MintedProviderToken(response.AccessToken, requestedAt, requestedAt + TimeSpan.FromSeconds(response.ExpiresInSeconds ?? 3600));
    }

    // The one service-account parser (the start-up check uses it too), with the origin in its messages.
    private FcmServiceAccount Parse(string json)
    {
        try
        {
            return FcmServiceAccount.Parse(json, _secrets.FcmServiceAccountOrigin, requireProjectId: false);
        }
        catch (InvalidOperationException ex)
        {
            throw new ProviderSecretException(ex.Message);
        }
    }
}
