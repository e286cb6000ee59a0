using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Push.Providers.Fcm;

namespace Push.Core.Credentials;

/// <summary>
/// The FCM access token every instance shares through <see cref="ProviderTokenStore"/>: fetched by one
/// instance when the stored one comes within Fcm:TokenRefreshMargin of its expiry (normally by the
/// RefreshProviderTokens timer) or after FCM answered 401 for it; the others read it.
/// </summary>
public sealed class SharedFcmAccessTokenSource : IFcmAccessTokenSource, IDisposable
{
    private readonly FcmAccessTokenFetcher _fetcher;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _margin;
    private readonly SharedTokenCell _cell;

    public SharedFcmAccessTokenSource(
        ProviderTokenStore store,
        FcmAccessTokenFetcher fetcher,
        IOptions<FcmOptions> fcmOptions,
        IOptions<SharedProviderTokenOptions> options,
        TimeProvider timeProvider,
        ILogger<SharedFcmAccessTokenSource>? logger = null)
    {
        _fetcher = fetcher;
        _timeProvider = timeProvider;
        _margin = fcmOptions.Value.TokenRefreshMargin;
        _cell = new SharedTokenCell(store, ProviderTokenKind.Fcm, options.Value, timeProvider, (ILogger?)logger ?? NullLogger.Instance);
    }

    public async ValueTask<FcmAccessToken> GetAsync(CancellationToken cancellationToken)
    {
        var stored = await _cell.GetAsync(_fetcher.GetKeyAsync, IsFresh, s => s is null || !IsFresh(s), _fetcher.FetchAsync, cancellationToken).ConfigureAwait(false);
        return new FcmAccessToken(stored.Token, stored.ExpiresAt);
    }

    public async ValueTask<FcmAccessToken> RefreshAfterRejectionAsync(FcmAccessToken rejected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rejected);
        var stored = await _cell.RefreshAsync(
            _fetcher.GetKeyAsync,
            cached => cached.Token != rejected.AccessToken,
            s => s is null || s.Token == rejected.AccessToken || !IsFresh(s),
            _fetcher.FetchAsync,
            cancellationToken).ConfigureAwait(false);
        return new FcmAccessToken(stored.Token, stored.ExpiresAt);
    }

    public void Dispose() => _cell.Dispose();

    private bool IsFresh(StoredProviderToken token) => _timeProvider.GetUtcNow() < token.ExpiresAt - _margin;
}
