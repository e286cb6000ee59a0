using System.Security.Cryptography;
using System.Text.Json;
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
    private int _fetchCount;

    public FcmAccessTokenFetcher(ProviderSecretSource secrets, IOptions<FcmOptions> options, TimeProvider timeProvider)
    {
        _secrets = secrets;
        _options = options.Value;
        _timeProvider = timeProvider;
    }

    /// <summary>False when neither a service-account file nor Key Vault is configured.</summary>
    public bool IsConfigured => _secrets.UsesKeyVault || !string.IsNullOrEmpty(_options.ServiceAccountPath);

    /// <summary>Tokens fetched by this object.</summary>
    public int FetchCount => Volatile.Read(ref _fetchCount);

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
            credential = GoogleServiceAccountCredentials.Create(_options, _timeProvider, account.ClientEmail, account.TokenUri, account.PrivateKeyId,
                account.PrivateKeyPem);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException or FormatException)
        {
            throw new ProviderSecretException($"{_secrets.FcmServiceAccountOrigin} has a 'private_key' that is not a PEM RSA private key");
        }
        var requestedAt = _timeProvider.GetUtcNow();
        await credential.RequestAccessTokenAsync(cancellationToken).ConfigureAwait(false);
        var response = credential.Token ?? throw new InvalidOperationException("the token endpoint answered without a token");
        Interlocked.Increment(ref _fetchCount);
        // expires_in counts from the answer; measuring from the request errs on the safe side.
        return new MintedProviderToken(response.AccessToken, requestedAt, requestedAt + TimeSpan.FromSeconds(response.ExpiresInSeconds ?? 3600));
    }

    private Account Parse(string json)
    {
        var origin = _secrets.FcmServiceAccountOrigin;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            // JsonException messages quote the text around the error, which may be key material.
            throw new ProviderSecretException($"{origin} is not valid JSON");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ProviderSecretException($"{origin} is not a JSON object");
            }
            var email = Required(root, "client_email", origin);
            var key = Required(root, "private_key", origin);
            var tokenUri = Required(root, "token_uri", origin);
            if (!Uri.TryCreate(tokenUri, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
            {
                throw new ProviderSecretException($"{origin} has a 'token_uri' that is not an https:// URI");
            }
            var keyId = root.TryGetProperty("private_key_id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
            return new Account(email, key, keyId, uri.AbsoluteUri);
        }
    }

    private static string Required(JsonElement root, string name, string origin) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw new ProviderSecretException($"{origin} is missing '{name}'");

    private sealed record Account(string ClientEmail, string PrivateKeyPem, string? PrivateKeyId, string TokenUri)
    {
        public override string ToString() => $"Account {{ ClientEmail = {ClientEmail} }}";
    }
}
