using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Push.Core.Storage;
using Push.Providers.Apns;

namespace Push.Core.Credentials;

/// <summary>
/// The APNs provider token every instance shares through <see cref="ProviderTokenStore"/>. APNs counts token
/// updates per team, so instances must not each mint their own: a new token is minted only when the stored
/// one reaches Apns:TokenRefreshInterval (normally by the RefreshProviderTokens timer), or after an
/// ExpiredProviderToken rejection when the stored token is at least 20 minutes old, and then by one instance.
/// </summary>
public sealed partial class SharedApnsProviderTokenSource : IApnsProviderTokenSource, IDisposable
{
    private readonly ApnsProviderTokenMinter _minter;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly SharedTokenCell _cell;
    private readonly TimeSpan _refreshInterval;

    public SharedApnsProviderTokenSource(
        ProviderTokenStore store,
        ApnsProviderTokenMinter minter,
        IOptions<SharedProviderTokenOptions> options,
        TimeProvider timeProvider,
        ILogger<SharedApnsProviderTokenSource>? logger = null)
    {
        _minter = minter;
        _timeProvider = timeProvider;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _cell = new SharedTokenCell(store, ProviderTokenKind.Apns, options.Value, timeProvider, _logger);
        // The floor is Apple's: a shorter setting would trip TooManyProviderTokenUpdates.
        _refreshInterval = minter.RefreshInterval < ApnsJwtIssuer.MinimumMintInterval ? ApnsJwtIssuer.MinimumMintInterval : minter.RefreshInterval;
    }

    public async ValueTask<ApnsProviderToken> GetAsync(CancellationToken cancellationToken)
    {
        var stored = await _cell.GetAsync(Key, IsFresh, s => s is null || Age(s) >= _refreshInterval || s.IsExpiredAt(Now), _minter.MintAsync, cancellationToken).ConfigureAwait(false);
        return ToToken(stored);
    }

    public async ValueTask<ApnsProviderToken> RefreshAfterRejectionAsync(ApnsProviderToken rejected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rejected);
        var stored = await _cell.RefreshAsync(
            Key,
            cached => cached.Token != rejected.Jwt,
            // A different stored token is someone's replacement: use it. The rejected one is replaced only when
            // Apple would accept an update (20 minutes after it was issued); otherwise it is returned unchanged.
            s => s is null || (s.Token == rejected.Jwt && Age(s) >= ApnsJwtIssuer.MinimumMintInterval),
            _minter.MintAsync,
            cancellationToken).ConfigureAwait(false);
        if (stored.Token == rejected.Jwt)
        {
            LogRefreshRefused(_logger, _minter.TeamId, SecretHash.Of(rejected.Jwt), Age(stored));
        }
        return ToToken(stored);
    }

    public void Dispose() => _cell.Dispose();

    private DateTimeOffset Now => _timeProvider.GetUtcNow();

    private TimeSpan Age(StoredProviderToken token) => token.AgeAt(Now);

    private bool IsFresh(StoredProviderToken token) => Age(token) < _refreshInterval;

    private Task<ProviderTokenKey> Key(CancellationToken cancellationToken) => Task.FromResult(_minter.Key);

    private static ApnsProviderToken ToToken(StoredProviderToken stored) => new(stored.Token, stored.IssuedAt);
}
