using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Push.Core.Registry;
using Push.Core.Storage;
using Push.Providers;

namespace Push.Core.Credentials;

/// <summary>
/// The provider tokens every instance shares, one blob per credential in the <c>push-runtime</c> container,
/// encrypted at rest. Writes are conditional (If-None-Match: * to create, If-Match to replace) and a
/// replacement is made under a short blob lease, so of several instances deciding at once that a token is due,
/// exactly one mints and the others read its token.
/// </summary>
public sealed partial class ProviderTokenStore : IDisposable
{
    // The shortest lease Storage grants; a mint takes milliseconds (APNs) to a second or two (OAuth).
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan LeasePollInterval = TimeSpan.FromMilliseconds(200);

    private readonly BlobContainerClient _container;
    private readonly ProviderTokenCipher _cipher;
    private readonly SharedProviderTokenOptions _options;
    private readonly ILogger _logger;
    private volatile bool _containerReady;

    public ProviderTokenStore(
        BlobContainerClient container,
        IOptions<DeviceKeyProtectionOptions> keyEncryption,
        IOptions<SharedProviderTokenOptions> options,
        ILogger<ProviderTokenStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(container);
        var kek = ValidatedOptions.ThrowIfInvalid(new DeviceKeyProtectionOptionsValidator(), keyEncryption.Value);
        _container = container;
        _cipher = new ProviderTokenCipher(kek.KeyEncryptionKey!, kek.KeyEncryptionKeyId!);
        _options = options.Value;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The token stored for <paramref name="key"/>, or null when there is none or it does not decrypt.</summary>
    public async Task<StoredProviderToken?> ReadAsync(ProviderTokenKey key, CancellationToken cancellationToken = default) =>
        (await ReadRawAsync(key, cancellationToken).ConfigureAwait(false)).Token;

    /// <summary>
    /// Stores <paramref name="minted"/> only if the blob is still at <paramref name="ifMatch"/> (or, when that is
    /// null, does not exist yet). Returns null when another writer got there first.
    /// </summary>
    public async Task<StoredProviderToken?> TryWriteAsync(ProviderTokenKey key, MintedProviderToken minted, ETag? ifMatch, CancellationToken cancellationToken = default) =>
        await TryWriteAsync(key, minted, ifMatch, leaseId: null, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// The coordinated refresh. Reads the stored token; when <paramref name="needsMint"/> says it must be
    /// replaced, one caller across all instances (the holder of the blob's lease, or the winner of the
    /// conditional create) calls <paramref name="mint"/> and stores the result; every other caller waits for it
    /// and gets the token that was stored. When the lease holder does not finish within
    /// <see cref="SharedProviderTokenOptions.LeaseWaitTimeout"/>, the stored token is returned as it is.
    /// </summary>
    /// <param name="needsMint">Given the stored token (null: none, or unreadable), whether to mint a new one.</param>
    /// <exception cref="ProviderSecretException">The mint could not read its secret.</exception>
    public async Task<StoreRefreshResult> RefreshAsync(
        ProviderTokenKey key,
        Func<StoredProviderToken?, bool> needsMint,
        Func<CancellationToken, Task<MintedProviderToken>> mint,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        // Real time on purpose: the lease is timed by Storage, not by the application's (possibly fake) clock.
        var deadline = DateTimeOffset.UtcNow + _options.LeaseWaitTimeout;
        while (true)
        {
            var (current, etag) = await ReadRawAsync(key, cancellationToken).ConfigureAwait(false);
            if (!needsMint(current))
            {
                return new StoreRefreshResult(current!, MintedHere: false);
            }
            if (etag is null)
            {
                // Nothing stored yet (first instance): the conditional create decides the winner.
                var minted = await mint(cancellationToken).ConfigureAwait(false);
                var created = await TryWriteAsync(key, minted, ifMatch: null, leaseId: null, cancellationToken).ConfigureAwait(false);
                if (created is not null)
                {
                    return new StoreRefreshResult(created, MintedHere: true);
                }
                continue;
            }

            var lease = _container.GetBlobClient(key.BlobName).GetBlobLeaseClient();
            if (!await TryAcquireAsync(lease, cancellationToken).ConfigureAwait(false))
            {
                if (DateTimeOffset.UtcNow >= deadline)
                {
                    LogLeaseWaitTimedOut(_logger, key.BlobName, _options.LeaseWaitTimeout);
                    return current is not null
                        ? new StoreRefreshResult(current, MintedHere: false)
                        : throw new InvalidOperationException($"No readable provider token in '{key.BlobName}' and another instance holds its refresh lease (ProviderTokens:LeaseWaitTimeout)");
                }
                await Task.Delay(LeasePollInterval, cancellationToken).ConfigureAwait(false);
                continue;
            }
            try
            {
                // Read again under the lease: the previous holder may just have stored what we need.
                (current, etag) = await ReadRawAsync(key, cancellationToken).ConfigureAwait(false);
                if (!needsMint(current))
                {
                    return new StoreRefreshResult(current!, MintedHere: false);
                }
                var minted = await mint(cancellationToken).ConfigureAwait(false);
                var stored = await TryWriteAsync(key, minted, etag, lease.LeaseId, cancellationToken).ConfigureAwait(false);
                if (stored is not null)
                {
                    return new StoreRefreshResult(stored, MintedHere: true);
                }
            }
            finally
            {
                await ReleaseAsync(lease).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Every stored credential (for <c>push tokens status</c>): times and a short hash, never the token.</summary>
    public async Task<IReadOnlyList<ProviderTokenDescription>> DescribeAsync(CancellationToken cancellationToken = default)
    {
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<ProviderTokenDescription>();
        await foreach (var item in _container.GetBlobsAsync(new GetBlobsOptions { Prefix = ProviderTokenKey.Prefix }, cancellationToken).ConfigureAwait(false))
        {
            var parts = item.Name.Split('/', 3);
            if (parts.Length != 3 || parts[1] is not ("apns" or "fcm"))
            {
                continue;
            }
            var key = new ProviderTokenKey(parts[1] == "apns" ? ProviderTokenKind.Apns : ProviderTokenKind.Fcm, parts[2]);
            var (document, token) = await DownloadAsync(key, cancellationToken).ConfigureAwait(false);
            if (document is null)
            {
                continue;
            }
            result.Add(new ProviderTokenDescription(key.Kind, key.Credential, document.IssuedAt, document.ExpiresAt,
                token is null ? "(unreadable)" : SecretHash.Of(token.Token), token is not null));
        }
        return result;
    }

    public void Dispose() => _cipher.Dispose();

    private async Task<(StoredProviderToken? Token, ETag? ETag)> ReadRawAsync(ProviderTokenKey key, CancellationToken cancellationToken)
    {
        var (document, token) = await DownloadAsync(key, cancellationToken).ConfigureAwait(false);
        return (token, document?.ETag);
    }

    private async Task<(TokenDocument? Document, StoredProviderToken? Token)> DownloadAsync(ProviderTokenKey key, CancellationToken cancellationToken)
    {
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        BlobDownloadResult download;
        try
        {
            download = (await _container.GetBlobClient(key.BlobName).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return (null, null);
        }
        TokenDocument? document;
        try
        {
            document = download.Content.ToObjectFromJson<TokenDocument>(JsonOptions);
        }
        catch (JsonException)
        {
            document = null;
        }
        if (document is null)
        {
            // Unreadable is treated as empty but existing: the next refresh replaces it (If-Match its ETag).
            LogUnreadable(_logger, key.BlobName, "not a token document");
            return (new TokenDocument { ETag = download.Details.ETag }, null);
        }
        document.ETag = download.Details.ETag;
        byte[] ciphertext;
        try
        {
            ciphertext = Convert.FromBase64String(document.Ciphertext ?? "");
        }
        catch (FormatException)
        {
            ciphertext = [];
        }
        var plain = _cipher.TryDecrypt(ciphertext, key.BlobName, document.KekId ?? "");
        if (plain is null || document.Kind != key.KindName)
        {
            LogUnreadable(_logger, key.BlobName, document.KekId == _cipher.KekId ? "does not authenticate" : $"encrypted under KEK '{document.KekId}'");
            return (document, null);
        }
        return (document, new StoredProviderToken(key, plain, document.IssuedAt, document.ExpiresAt, download.Details.ETag));
    }

    private async Task<StoredProviderToken?> TryWriteAsync(ProviderTokenKey key, MintedProviderToken minted, ETag? ifMatch, string? leaseId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(minted);
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        var document = new TokenDocument
        {
            Kind = key.KindName,
            Credential = key.Credential,
            IssuedAt = minted.IssuedAt,
            ExpiresAt = minted.ExpiresAt,
            KekId = _cipher.KekId,
            Ciphertext = Convert.ToBase64String(_cipher.Encrypt(minted.Token, key.BlobName)),
        };
        var conditions = ifMatch is { } etag
            ? new BlobRequestConditions { IfMatch = etag, LeaseId = leaseId }
            : new BlobRequestConditions { IfNoneMatch = ETag.All };
        try
        {
            var response = await _container.GetBlobClient(key.BlobName).UploadAsync(
                BinaryData.FromObjectAsJson(document, JsonOptions),
                new BlobUploadOptions { Conditions = conditions, HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" } },
                cancellationToken).ConfigureAwait(false);
            LogStored(_logger, key.BlobName, SecretHash.Of(minted.Token), minted.IssuedAt, minted.ExpiresAt);
            return new StoredProviderToken(key, minted.Token, minted.IssuedAt, minted.ExpiresAt, response.Value.ETag);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // 409 BlobAlreadyExists (create lost), 412 ConditionNotMet or lease mismatch (replace lost).
            LogLostRace(_logger, key.BlobName, ex.ErrorCode ?? ex.Status.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return null;
        }
    }

    private static async Task<bool> TryAcquireAsync(BlobLeaseClient lease, CancellationToken cancellationToken)
    {
        try
        {
            await lease.AcquireAsync(LeaseDuration, cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    private async Task ReleaseAsync(BlobLeaseClient lease)
    {
        try
        {
            // Not the caller's token: a cancelled refresh must still hand the lease back.
            await lease.ReleaseAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
        }
        catch (RequestFailedException ex)
        {
            // The lease lapses by itself within LeaseDuration; others then proceed.
            LogLeaseReleaseFailed(_logger, ex.Status);
        }
    }

    private async Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        if (_containerReady)
        {
            return;
        }
        await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        _containerReady = true;
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private sealed class TokenDocument
    {
        public string? Kind { get; set; }
        public string? Credential { get; set; }
        public DateTimeOffset IssuedAt { get; set; }
        public DateTimeOffset ExpiresAt { get; set; }
        public string? KekId { get; set; }
        public string? Ciphertext { get; set; }

        [JsonIgnore]
        public ETag ETag { get; set; }
    }
}
