using Google.Apis.Auth.OAuth2;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Push.Providers.Fcm;

/// <summary>
/// Fetches FCM access tokens for a service account with Google.Apis.Auth, from the token endpoint the
/// JSON names (<c>token_uri</c>), through our TLS trust and proxy. Caches the token until
/// <see cref="FcmOptions.TokenRefreshMargin"/> before its expiry; concurrent callers share one fetch.
/// </summary>
public sealed partial class GoogleServiceAccountTokenSource : IFcmAccessTokenSource, IDisposable
{
    public const string FirebaseMessagingScope = "https://www.googleapis.com/auth/firebase.messaging";

    private readonly ServiceAccountCredential _credential;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _refreshMargin;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _fetchLock = new(1, 1);
    private volatile FcmAccessToken? _current;

    public GoogleServiceAccountTokenSource(IOptions<FcmOptions> options, TimeProvider timeProvider, ILogger<GoogleServiceAccountTokenSource> logger)
        : this(options.Value, FcmServiceAccount.Load(options.Value.ServiceAccountPath, string.IsNullOrEmpty(options.Value.ProjectId)), timeProvider, logger)
    {
    }

    internal GoogleServiceAccountTokenSource(FcmOptions options, FcmServiceAccount account, TimeProvider timeProvider, ILogger? logger = null)
    {
        _timeProvider = timeProvider;
        _refreshMargin = options.TokenRefreshMargin;
        _logger = logger ?? NullLogger.Instance;
        ClientEmail = account.ClientEmail;
        _credential = GoogleServiceAccountCredentials.Create(options, timeProvider, account.ClientEmail, account.TokenUri.AbsoluteUri,
            account.PrivateKeyId, account.PrivateKeyPem, options.ProjectId ?? account.ProjectId);
    }

    public string ClientEmail { get; }

    public async ValueTask<FcmAccessToken> GetAsync(CancellationToken cancellationToken)
    {
        var current = _current;
        if (IsFresh(current))
        {
            return current!;
        }
        await _fetchLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            current = _current;
            return IsFresh(current) ? current! : await FetchAsync(current is null ? "first use" : "near expiry", cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _fetchLock.Release();
        }
    }

    public async ValueTask<FcmAccessToken> RefreshAfterRejectionAsync(FcmAccessToken rejected, CancellationToken cancellationToken)
    {
        await _fetchLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = _current;
            if (current is not null && current.AccessToken != rejected.AccessToken)
            {
                return current;
            }
            return await FetchAsync("rejected by FCM", cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _fetchLock.Release();
        }
    }

    public void Dispose() => _fetchLock.Dispose();

    private bool IsFresh(FcmAccessToken? token) =>
        token is not null && _timeProvider.GetUtcNow() < token.ExpiresAt - _refreshMargin;

    private async Task<FcmAccessToken> FetchAsync(string why, CancellationToken cancellationToken)
    {
        var requestedAt = _timeProvider.GetUtcNow();
        await _credential.RequestAccessTokenAsync(cancellationToken).ConfigureAwait(false);
        var response = _credential.Token
            ?? throw new InvalidOperationException("the token endpoint answered without a token");
        // expires_in counts from when the endpoint answered; measuring from the request errs on the safe side.
        var lifetime = TimeSpan.FromSeconds(response.ExpiresInSeconds ?? 3600);
        var token = new FcmAccessToken(response.AccessToken, requestedAt + lifetime);
        _current = token;
        LogFetched(_logger, ClientEmail, TokenHash.Of(token.AccessToken), token.ExpiresAt, why);
        return token;
    }
}
