namespace Push.Providers.Apns;

/// <summary>
/// Supplies the provider token every APNs request carries. APNs counts token updates per team, so
/// one token is shared by all requests (and, with a shared store, by all instances).
/// </summary>
public interface IApnsProviderTokenSource
{
    /// <summary>The current token, minted when none exists or the current one is due for refresh.</summary>
    ValueTask<ApnsProviderToken> GetAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Called after APNs answered ExpiredProviderToken for <paramref name="rejected"/>. Returns a newer
    /// token when one exists or may be minted (never more than one per 20 minutes); otherwise the
    /// current one, which the caller recognises as unchanged.
    /// </summary>
    ValueTask<ApnsProviderToken> RefreshAfterRejectionAsync(ApnsProviderToken rejected, CancellationToken cancellationToken);
}
