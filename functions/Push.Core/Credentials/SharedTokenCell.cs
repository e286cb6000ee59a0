using Azure;
using Microsoft.Extensions.Logging;
using Push.Core.Storage;

namespace Push.Core.Credentials;

/// <summary>
/// One instance's view of one shared token: an in-memory copy used while fresh, a blob read at most every
/// <see cref="SharedProviderTokenOptions.StoreRecheckInterval"/> once it is due, and the coordinated
/// refresh in <see cref="ProviderTokenStore.RefreshAsync"/>. Calls within the instance are serialised, so a
/// burst of sends becomes one blob read or one mint. When a refresh fails, the last token is served until it
/// expires.
/// </summary>
internal sealed partial class SharedTokenCell : IDisposable
{
    private readonly ProviderTokenStore _store;
    private readonly ProviderTokenKind _kind;
    private readonly SharedProviderTokenOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile StoredProviderToken? _cached;
    private DateTimeOffset _nextRead = DateTimeOffset.MinValue;
    private string? _lastFailure;
    private Exception? _lastFailureException;

    public SharedTokenCell(ProviderTokenStore store, ProviderTokenKind kind, SharedProviderTokenOptions options, TimeProvider timeProvider, ILogger logger)
    {
        _store = store;
        _kind = kind;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public StoredProviderToken? Cached => _cached;

    /// <param name="isFresh">A cached token that passes is used without reading the store.</param>
    /// <param name="needsMint">Given what is stored, whether to mint (coordinated across instances).</param>
    public async Task<StoredProviderToken> GetAsync(
        Func<CancellationToken, Task<ProviderTokenKey>> key,
        Func<StoredProviderToken, bool> isFresh,
        Func<StoredProviderToken?, bool> needsMint,
        Func<CancellationToken, Task<MintedProviderToken>> mint,
        CancellationToken cancellationToken)
    {
        var cached = _cached;
        if (cached is not null && isFresh(cached))
        {
            return cached;
        }
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            cached = _cached;
            var now = _timeProvider.GetUtcNow();
            if (cached is not null && (isFresh(cached) || (now < _nextRead && !cached.IsExpiredAt(now))))
            {
                return cached;
            }
            if (now < _nextRead && _lastFailure is not null)
            {
                // The failure inside tells the sender whether this is an outage or a refusal.
                throw new InvalidOperationException(
                    $"No valid {CredentialsTelemetry.Provider(_kind)} token: the last refresh failed ({_lastFailure}); retrying after ProviderTokens:FailureBackoff",
                    _lastFailureException);
            }
            return await RefreshLockedAsync(key, needsMint, mint, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <param name="cachedSuffices">When the in-memory token passes (another caller here already replaced the rejected one), it is returned without reading the store.</param>
    public async Task<StoredProviderToken> RefreshAsync(
        Func<CancellationToken, Task<ProviderTokenKey>> key,
        Func<StoredProviderToken, bool> cachedSuffices,
        Func<StoredProviderToken?, bool> needsMint,
        Func<CancellationToken, Task<MintedProviderToken>> mint,
        CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var cached = _cached;
            if (cached is not null && !cached.IsExpiredAt(_timeProvider.GetUtcNow()) && cachedSuffices(cached))
            {
                return cached;
            }
            return await RefreshLockedAsync(key, needsMint, mint, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private async Task<StoredProviderToken> RefreshLockedAsync(
        Func<CancellationToken, Task<ProviderTokenKey>> key,
        Func<StoredProviderToken?, bool> needsMint,
        Func<CancellationToken, Task<MintedProviderToken>> mint,
        CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        var provider = CredentialsTelemetry.Provider(_kind);
        try
        {
            var result = await _store.RefreshAsync(await key(cancellationToken).ConfigureAwait(false), needsMint, mint, cancellationToken).ConfigureAwait(false);
            var previous = _cached;
            _cached = result.Token;
            _nextRead = now + _options.StoreRecheckInterval;
            _lastFailure = null;
            _lastFailureException = null;
            if (result.MintedHere)
            {
                CredentialsTelemetry.RecordStored(_kind);
            }
            if (previous is null || previous.Token != result.Token.Token)
            {
                LogNowUsing(_logger, provider, SecretHash.Of(result.Token.Token), result.Token.IssuedAt, result.MintedHere);
            }
            return result.Token;
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            var (reason, detail) = Describe(ex);
            CredentialsTelemetry.RecordRefreshFailed(_kind, reason);
            if (ex is ProviderSecretException)
            {
                LogSecretFailed(_logger, provider, detail);
            }
            else
            {
                LogRefreshFailed(_logger, provider, reason, detail);
            }
            _nextRead = now + _options.FailureBackoff;
            _lastFailure = detail;
            _lastFailureException = ex;
            var fallback = _cached;
            if (fallback is not null && !fallback.IsExpiredAt(now))
            {
                LogServingLastValid(_logger, provider, SecretHash.Of(fallback.Token), fallback.ExpiresAt);
                return fallback;
            }
            throw;
        }
    }

    /// <summary>A metric reason and a log detail that carry no secret: messages of our own exceptions, status codes of others.</summary>
    internal static (string Reason, string Detail) Describe(Exception ex) => ex switch
    {
        ProviderSecretException secret => ("secret", secret.Message),
        RequestFailedException storage => ("store", $"storage answered {storage.Status} {storage.ErrorCode}"),
        Google.Apis.Auth.OAuth2.Responses.TokenResponseException oauth => ("provider", $"token endpoint answered {(int?)oauth.StatusCode} {oauth.Error?.Error}"),
        InvalidOperationException invalid => ("store", invalid.Message),
        _ => ("other", ex.GetType().Name),
    };
}
