using Google.Apis.Auth.OAuth2;
using Google.Apis.Http;

namespace Push.Providers.Fcm;

/// <summary>
/// The one way a Google.Apis.Auth service-account credential is built here, for the provider's own token
/// source and for the shared one in Core: the firebase.messaging scope, our TLS trust, proxy and timeout
/// (<see cref="FcmOptions"/>), our clock, and no retries of its own.
/// </summary>
public static class GoogleServiceAccountCredentials
{
    /// <exception cref="ArgumentException">The private key is not a PEM RSA key (also CryptographicException, FormatException).</exception>
    public static ServiceAccountCredential Create(FcmOptions options, TimeProvider timeProvider, string clientEmail, string tokenUri,
        string? privateKeyId, string privateKeyPem, string? projectId = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var initializer = new ServiceAccountCredential.Initializer(clientEmail, tokenUri)
        {
            Scopes = [GoogleServiceAccountTokenSource.FirebaseMessagingScope],
            KeyId = privateKeyId,
            ProjectId = projectId,
            HttpClientFactory = new GoogleHttpClientFactory(options),
            Clock = new TimeProviderClock(timeProvider),
            // The library would retry a 503 with back-off for seconds inside a send. An outage is the
            // pipeline's to retry (TokenEndpointUnavailable), with its own back-off and ledger row.
            DefaultExponentialBackOffPolicy = ExponentialBackOffPolicy.None,
        };
        return new ServiceAccountCredential(initializer.FromPrivateKey(privateKeyPem));
    }
}
