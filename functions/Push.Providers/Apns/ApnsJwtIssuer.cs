using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Push.Providers.Apns;

/// <summary>
/// Mints ES256 provider tokens for one team and key, and shares one token across every request.
/// Re-mints when the token reaches <see cref="ApnsOptions.TokenRefreshInterval"/>, or after an
/// ExpiredProviderToken rejection, but never more often than once per <see cref="MinimumMintInterval"/>:
/// APNs answers TooManyProviderTokenUpdates to teams that refresh faster.
/// </summary>
public sealed partial class ApnsJwtIssuer : IApnsProviderTokenSource, IDisposable
{
    /// <summary>Apple's floor between two token updates.</summary>
    public static readonly TimeSpan MinimumMintInterval = TimeSpan.FromMinutes(20);

    private readonly ECDsa _key;
    private readonly string _teamId;
    private readonly string _keyId;
    private readonly TimeSpan _refreshInterval;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly byte[] _encodedHeader;
    private readonly Lock _mintLock = new();
    private volatile ApnsProviderToken? _current;
    private int _mintCount;

    public ApnsJwtIssuer(IOptions<ApnsOptions> options, TimeProvider timeProvider, ILogger<ApnsJwtIssuer> logger)
        : this(options.Value.TeamId, options.Value.KeyId, ApnsSigningKey.Load(options.Value.PrivateKeyPath),
            options.Value.TokenRefreshInterval, timeProvider, logger)
    {
    }

    /// <param name="key">An ECDsa P-256 private key; the issuer owns and disposes it.</param>
    public ApnsJwtIssuer(string teamId, string keyId, ECDsa key, TimeSpan refreshInterval, TimeProvider timeProvider, ILogger? logger = null)
    {
        if (!ApnsOptionsValidator.IsAppleId(teamId))
        {
            throw new ArgumentException("Apns:TeamId must be 10 characters A-Z or 0-9", nameof(teamId));
        }
        if (!ApnsOptionsValidator.IsAppleId(keyId))
        {
            throw new ArgumentException("Apns:KeyId must be 10 characters A-Z or 0-9", nameof(keyId));
        }
        if (key.KeySize != 256)
        {
            throw new ArgumentException("ES256 needs a P-256 key", nameof(key));
        }
        _key = key;
        _teamId = teamId;
        _keyId = keyId;
        _refreshInterval = refreshInterval < MinimumMintInterval ? MinimumMintInterval : refreshInterval;
        _timeProvider = timeProvider;
        _logger = logger ?? NullLogger.Instance;
        _encodedHeader = Base64UrlJson(w =>
        {
            w.WriteString("alg", "ES256");
            w.WriteString("kid", keyId);
        });
    }

    /// <summary>
    /// How many tokens this issuer has minted. Apple answers TooManyProviderTokenUpdates to more than one new token per
    /// 20 minutes, and a mint that lost a race is invisible in the tokens handed out, so this count is what proves the rule.
    /// </summary>
    public int MintCount => Volatile.Read(ref _mintCount);

    public ValueTask<ApnsProviderToken> GetAsync(CancellationToken cancellationToken)
    {
        var current = _current;
        if (current is not null && Age(current) < _refreshInterval)
        {
            return ValueTask.FromResult(current);
        }
        lock (_mintLock)
        {
            current = _current;
            if (current is not null && Age(current) < _refreshInterval)
            {
                return ValueTask.FromResult(current);
            }
            return ValueTask.FromResult(Mint(current is null ? "first use" : "scheduled"));
        }
    }

    public ValueTask<ApnsProviderToken> RefreshAfterRejectionAsync(ApnsProviderToken rejected, CancellationToken cancellationToken)
    {
        lock (_mintLock)
        {
            var current = _current;
            if (current is not null && !ReferenceEquals(current, rejected) && current.Jwt != rejected.Jwt)
            {
                // Someone already replaced the rejected token: share theirs.
                return ValueTask.FromResult(current);
            }
            if (current is not null && Age(current) < MinimumMintInterval)
            {
                LogRefreshRefused(_logger, _teamId, TokenHash.Of(current.Jwt), Age(current));
                return ValueTask.FromResult(current);
            }
            return ValueTask.FromResult(Mint("rejected as expired"));
        }
    }

    public void Dispose() => _key.Dispose();

    private TimeSpan Age(ApnsProviderToken token) => _timeProvider.GetUtcNow() - token.IssuedAt;

    private ApnsProviderToken Mint(string why)
    {
        // iat has whole-second precision; IssuedAt matches it so ages are measured from what APNs sees.
        var issuedAtSeconds = _timeProvider.GetUtcNow().ToUnixTimeSeconds();
        var claims = Base64UrlJson(w =>
        {
            w.WriteString("iss", _teamId);
            w.WriteNumber("iat", issuedAtSeconds);
        });
        var signingInput = new byte[_encodedHeader.Length + 1 + claims.Length];
        _encodedHeader.CopyTo(signingInput, 0);
        signingInput[_encodedHeader.Length] = (byte)'.';
        claims.CopyTo(signingInput, _encodedHeader.Length + 1);
        var signature = _key.SignData(signingInput, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var jwt = Encoding.ASCII.GetString(signingInput) + "." + Base64Url.EncodeToString(signature);
        var token = new ApnsProviderToken(jwt, DateTimeOffset.FromUnixTimeSeconds(issuedAtSeconds));
        _current = token;
        Interlocked.Increment(ref _mintCount);
        LogMinted(_logger, _teamId, _keyId, TokenHash.Of(jwt), why);
        return token;
    }

    private static byte[] Base64UrlJson(Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }
        return Encoding.ASCII.GetBytes(Base64Url.EncodeToString(buffer.WrittenSpan));
    }
}
