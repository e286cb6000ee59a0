namespace Push.Providers.Fcm;

/// <summary>Supplies the OAuth2 access token FCM requests carry; one token serves all requests until it nears expiry.</summary>
public interface IFcmAccessTokenSource
{
    /// <summary>The cached token, fetched anew when none exists or it is within the refresh margin of its expiry.</summary>
    ValueTask<FcmAccessToken> GetAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Called after FCM answered 401 for <paramref name="rejected"/>: returns a different token (fetched now,
    /// or already fetched by a concurrent caller). Concurrent callers share one fetch.
    /// </summary>
    ValueTask<FcmAccessToken> RefreshAfterRejectionAsync(FcmAccessToken rejected, CancellationToken cancellationToken);
}
