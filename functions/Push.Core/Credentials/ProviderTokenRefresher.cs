using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Push.Core.Storage;
using Push.Providers.Apns;
using Push.Providers.Fcm;

namespace Push.Core.Credentials;

/// <summary>
/// The RefreshProviderTokens timer's work: replaces the stored APNs token once it is Apns:TokenRefreshInterval
/// old (Apple: between 20 and 60 minutes) and the FCM token once it expires within Fcm:TokenRefreshMargin, so
/// senders find a fresh token in the store instead of minting on the send path. Safe to run on every instance
/// at once: the store lets one mint and the rest see a fresh token.
/// </summary>
public sealed partial class ProviderTokenRefresher
{
    private readonly ProviderTokenStore _store;
    private readonly ApnsProviderTokenMinter _apns;
    private readonly FcmAccessTokenFetcher _fcm;
    private readonly TimeSpan _apnsInterval;
    private readonly TimeSpan _fcmMargin;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    public ProviderTokenRefresher(
        ProviderTokenStore store,
        ApnsProviderTokenMinter apns,
        FcmAccessTokenFetcher fcm,
        IOptions<FcmOptions> fcmOptions,
        TimeProvider timeProvider,
        ILogger<ProviderTokenRefresher>? logger = null)
    {
        _store = store;
        _apns = apns;
        _fcm = fcm;
        _apnsInterval = apns.RefreshInterval < ApnsJwtIssuer.MinimumMintInterval ? ApnsJwtIssuer.MinimumMintInterval : apns.RefreshInterval;
        _fcmMargin = fcmOptions.Value.TokenRefreshMargin;
        _timeProvider = timeProvider;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Refreshes both providers' tokens where due. Failures are logged and reported, not thrown, so one provider's broken secret does not stop the other's refresh.</summary>
    public async Task<ProviderTokenRefreshReport> RunAsync(CancellationToken cancellationToken)
    {
        var apns = _apns.IsConfigured
            ? await RefreshAsync(ProviderTokenKind.Apns, _ => Task.FromResult(_apns.Key), s => s is null || s.AgeAt(Now) >= _apnsInterval || s.IsExpiredAt(Now), _apns.MintAsync, cancellationToken).ConfigureAwait(false)
            : ProviderTokenRefreshOutcome.NotConfigured;
        var fcm = _fcm.IsConfigured
            ? await RefreshAsync(ProviderTokenKind.Fcm, _fcm.GetKeyAsync, s => s is null || Now >= s.ExpiresAt - _fcmMargin, _fcm.FetchAsync, cancellationToken).ConfigureAwait(false)
            : ProviderTokenRefreshOutcome.NotConfigured;
        return new ProviderTokenRefreshReport(apns, fcm);
    }

    private DateTimeOffset Now => _timeProvider.GetUtcNow();

    private async Task<ProviderTokenRefreshOutcome> RefreshAsync(
        ProviderTokenKind kind,
        Func<CancellationToken, Task<ProviderTokenKey>> key,
        Func<StoredProviderToken?, bool> due,
        Func<CancellationToken, Task<MintedProviderToken>> mint,
        CancellationToken cancellationToken)
    {
        var provider = CredentialsTelemetry.Provider(kind);
        try
        {
            var result = await _store.RefreshAsync(await key(cancellationToken).ConfigureAwait(false), due, mint, cancellationToken).ConfigureAwait(false);
            var token = result.Token;
            if (result.MintedHere)
            {
                CredentialsTelemetry.RecordStored(kind);
                LogRefreshed(_logger, provider, token.Key.Credential, SecretHash.Of(token.Token), token.IssuedAt, token.ExpiresAt);
                return ProviderTokenRefreshOutcome.Refreshed;
            }
            LogStillFresh(_logger, provider, token.Key.Credential, SecretHash.Of(token.Token), token.AgeAt(Now));
            return ProviderTokenRefreshOutcome.StillFresh;
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            var (reason, detail) = SharedTokenCell.Describe(ex);
            CredentialsTelemetry.RecordRefreshFailed(kind, reason);
            if (ex is ProviderSecretException)
            {
                LogSecretFailed(_logger, provider, detail);
            }
            else
            {
                LogFailed(_logger, provider, reason, detail);
            }
            return ProviderTokenRefreshOutcome.Failed;
        }
    }
}
