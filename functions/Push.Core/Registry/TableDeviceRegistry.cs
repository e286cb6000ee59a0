using System.Collections.Concurrent;
using System.Security.Cryptography;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Push.Core.Storage;

namespace Push.Core.Registry;

/// <summary>
/// The device registry on Azure Table storage (partition = user id, row = device id). Every write that
/// depends on what was read is conditional on the row's ETag, so a concurrent writer is never overwritten
/// blindly: on 412 (or the row vanishing) the decision is made again from a fresh read.
/// </summary>
public sealed partial class TableDeviceRegistry : IDeviceRegistry
{
    /// <summary>Rounds of read-decide-write before giving up under contention on one device row.</summary>
    internal const int MaxAttempts = 16;

    private readonly LazyTable _table;
    private readonly IDeviceKeyProtector _protector;
    private readonly IMemoryCache _cache;
    private readonly TimeProvider _time;
    private readonly TimeSpan _cacheDuration;
    private readonly ILogger<TableDeviceRegistry> _logger;

    // A user's devices being read for the cache, so that the events of one batch for the same user, which all miss the
    // cache together, share one query instead of each making its own.
    private readonly ConcurrentDictionary<string, Lazy<Task<IReadOnlyList<RegisteredDevice>>>> _loads = new(StringComparer.Ordinal);

    public TableDeviceRegistry(
        TableServiceClient tableService,
        IDeviceKeyProtector protector,
        IMemoryCache cache,
        IOptions<DeviceRegistryOptions> options,
        TimeProvider time,
        ILogger<TableDeviceRegistry> logger)
    {
        ArgumentNullException.ThrowIfNull(tableService);
        ArgumentNullException.ThrowIfNull(options);
        _protector = protector ?? throw new ArgumentNullException(nameof(protector));
        _cache = cache ?? throw new ArgumentNullException(nameof(cache));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _table = new LazyTable(tableService, options.Value.DevicesTable);
        _cacheDuration = options.Value.CacheDuration;
    }

    public async Task<RegistrationOutcome> RegisterAsync(DeviceRegistration registration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registration);
        Validate(registration);
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var incoming = DeviceEntity.From(registration, _protector.Wrap(registration.KeyId, registration.Key));
        incoming.PushToken = EmptyAsNull(incoming.PushToken);
        incoming.VoipToken = EmptyAsNull(incoming.VoipToken);

        try
        {
            for (var attempt = 1; attempt <= MaxAttempts; attempt++)
            {
                var stored = await ReadAsync(table, registration.UserId, registration.DeviceId, cancellationToken).ConfigureAwait(false);
                if (stored is null)
                {
                    try
                    {
                        await table.AddEntityAsync(incoming, cancellationToken).ConfigureAwait(false);
                        Log.Registered(_logger, SecretHash.Of(registration.UserId), SecretHash.Of(registration.DeviceId), registration.Platform, SecretHash.OfOptional(incoming.PushToken), SecretHash.OfOptional(incoming.VoipToken));
                        return RegistrationOutcome.Created;
                    }
                    catch (RequestFailedException ex) when (ex.Status == 409)
                    {
                        Log.WriteConflict(_logger, SecretHash.Of(registration.UserId), SecretHash.Of(registration.DeviceId), attempt);
                        continue;
                    }
                }

                if (incoming.RegisteredAt < stored.RegisteredAt)
                {
                    Log.IgnoredStale(_logger, SecretHash.Of(registration.UserId), SecretHash.Of(registration.DeviceId), registration.RegisteredAt, stored.RegisteredAt);
                    return RegistrationOutcome.IgnoredAsStale;
                }
                if (incoming.RegisteredAt == stored.RegisteredAt && SameRegistration(stored, incoming, registration.Key))
                {
                    return RegistrationOutcome.Unchanged;
                }

                // Equal times with different content: the later arrival wins, as a re-send by the producer would.
                try
                {
                    await table.UpdateEntityAsync(incoming, stored.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                    Log.Replaced(_logger, SecretHash.Of(registration.UserId), SecretHash.Of(registration.DeviceId), SecretHash.OfOptional(incoming.PushToken), SecretHash.OfOptional(incoming.VoipToken));
                    return RegistrationOutcome.Replaced;
                }
                catch (RequestFailedException ex) when (ex.Status is 412 or 404)
                {
                    Log.WriteConflict(_logger, SecretHash.Of(registration.UserId), SecretHash.Of(registration.DeviceId), attempt);
                }
            }
            throw new InvalidOperationException(
                $"Registering device '{registration.DeviceId}' of user '{registration.UserId}' conflicted with other writers {MaxAttempts} times in a row.");
        }
        finally
        {
            Invalidate(registration.UserId);
        }
    }

    public async Task<bool> UnregisterAsync(string userId, string deviceId, CancellationToken cancellationToken)
    {
        TableKeys.Validate(userId, nameof(userId));
        TableKeys.Validate(deviceId, nameof(deviceId));
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // DeleteEntityAsync answers 404 without throwing in current SDKs; older ones threw.
            var response = await table.DeleteEntityAsync(userId, deviceId, ETag.All, cancellationToken).ConfigureAwait(false);
            var deleted = response.Status != 404;
            if (deleted) Log.Unregistered(_logger, SecretHash.Of(userId), SecretHash.Of(deviceId));
            return deleted;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return false;
        }
        finally
        {
            Invalidate(userId);
        }
    }

    public async Task<IReadOnlyList<RegisteredDevice>> GetDevicesAsync(string userId, CancellationToken cancellationToken)
    {
        TableKeys.Validate(userId, nameof(userId));
        var cacheKey = CacheKey(userId);
        var now = _time.GetUtcNow();
        if (_cacheDuration > TimeSpan.Zero &&
            _cache.TryGetValue(cacheKey, out CachedDevices? cached) && cached is not null &&
            now - cached.LoadedAt < _cacheDuration)
        {
            return cached.Devices;
        }
        if (_cacheDuration <= TimeSpan.Zero)
        {
            return await ReadDevicesAsync(userId, cancellationToken).ConfigureAwait(false);
        }

        var load = _loads.GetOrAdd(userId, id =>
        {
            Lazy<Task<IReadOnlyList<RegisteredDevice>>>? self = null;
            self = new Lazy<Task<IReadOnlyList<RegisteredDevice>>>(() => LoadIntoCacheAsync(id, cacheKey, now, self!));
            return self;
        });
        return await load.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One read shared by every caller that missed the cache meanwhile. It runs outside any caller's cancellation, so one
    /// cancelled event cannot fail the others. Its result is cached only if no write on this instance invalidated the
    /// user while it ran: a read that may predate the write is returned to its callers, as it would have been without
    /// sharing, but not kept.
    /// </summary>
    private async Task<IReadOnlyList<RegisteredDevice>> LoadIntoCacheAsync(string userId, string cacheKey, DateTimeOffset now,
        Lazy<Task<IReadOnlyList<RegisteredDevice>>> self)
    {
        try
        {
            var devices = await ReadDevicesAsync(userId, CancellationToken.None).ConfigureAwait(false);
            if (_loads.TryGetValue(userId, out var current) && ReferenceEquals(current, self))
            {
                // The entry's own expiry (on the real clock) only frees memory; freshness is judged above on
                // the injected TimeProvider so it can be tested without waiting.
                _cache.Set(cacheKey, new CachedDevices(devices, now), new MemoryCacheEntryOptions
                {
                    AbsoluteExpirationRelativeToNow = _cacheDuration,
                    Size = 1,
                });
            }
            return devices;
        }
        finally
        {
            _loads.TryRemove(new KeyValuePair<string, Lazy<Task<IReadOnlyList<RegisteredDevice>>>>(userId, self));
        }
    }

    private async Task<IReadOnlyList<RegisteredDevice>> ReadDevicesAsync(string userId, CancellationToken cancellationToken)
    {
        var devices = new List<RegisteredDevice>();
        await foreach (var entity in QueryUserAsync(userId, cancellationToken).ConfigureAwait(false))
        {
            devices.Add(entity.ToDevice());
        }
        return devices;
    }

    public async Task<IReadOnlyList<DeviceSummary>> ListAsync(string userId, CancellationToken cancellationToken)
    {
        TableKeys.Validate(userId, nameof(userId));
        var summaries = new List<DeviceSummary>();
        await foreach (var entity in QueryUserAsync(userId, cancellationToken).ConfigureAwait(false))
        {
            summaries.Add(entity.ToSummary());
        }
        return summaries;
    }

    public async Task<TokenRemovalOutcome> RemoveTokenAsync(string userId, string deviceId, string token, DateTimeOffset invalidSince, CancellationToken cancellationToken)
    {
        TableKeys.Validate(userId, nameof(userId));
        TableKeys.Validate(deviceId, nameof(deviceId));
        ArgumentException.ThrowIfNullOrEmpty(token);
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var tokenHash = SecretHash.Of(token);
        try
        {
            for (var attempt = 1; attempt <= MaxAttempts; attempt++)
            {
                var stored = await ReadAsync(table, userId, deviceId, cancellationToken).ConfigureAwait(false);
                if (stored is null)
                {
                    Log.TokenKept(_logger, SecretHash.Of(userId), SecretHash.Of(deviceId), tokenHash, TokenRemovalOutcome.NotFound);
                    return TokenRemovalOutcome.NotFound;
                }
                var isPush = string.Equals(stored.PushToken, token, StringComparison.Ordinal);
                var isVoip = string.Equals(stored.VoipToken, token, StringComparison.Ordinal);
                // A different token, or the same one registered again after the provider's verdict, is
                // newer than that verdict: removing it would unregister a working device.
                if ((!isPush && !isVoip) || stored.RegisteredAt >= invalidSince)
                {
                    Log.TokenKept(_logger, SecretHash.Of(userId), SecretHash.Of(deviceId), tokenHash, TokenRemovalOutcome.KeptReRegistered);
                    return TokenRemovalOutcome.KeptReRegistered;
                }

                if (isPush) stored.PushToken = null;
                if (isVoip) stored.VoipToken = null;
                var deleteDevice = stored.PushToken is null && stored.VoipToken is null;
                try
                {
                    if (deleteDevice)
                    {
                        var response = await table.DeleteEntityAsync(userId, deviceId, stored.ETag, cancellationToken).ConfigureAwait(false);
                        if (response.Status == 404)
                        {
                            Log.WriteConflict(_logger, SecretHash.Of(userId), SecretHash.Of(deviceId), attempt);
                            continue;
                        }
                    }
                    else
                    {
                        await table.UpdateEntityAsync(stored, stored.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                    }
                    Log.TokenRemoved(_logger, SecretHash.Of(userId), SecretHash.Of(deviceId), tokenHash, isVoip && !isPush ? "voip" : "push", deleteDevice);
                    return TokenRemovalOutcome.Removed;
                }
                catch (RequestFailedException ex) when (ex.Status is 412 or 404)
                {
                    Log.WriteConflict(_logger, SecretHash.Of(userId), SecretHash.Of(deviceId), attempt);
                }
            }
            throw new InvalidOperationException(
                $"Removing a token of device '{deviceId}' of user '{userId}' conflicted with other writers {MaxAttempts} times in a row.");
        }
        finally
        {
            Invalidate(userId);
        }
    }

    /// <summary>
    /// The registry's own rules for a registration (ids that are Table keys, a token, a 32-byte key), which
    /// <see cref="RegisterAsync"/> applies. Throws an <see cref="ArgumentException"/> naming the field; a
    /// producer such as the CLI checks with it before it writes or publishes anything.
    /// </summary>
    public static void Validate(DeviceRegistration registration)
    {
        ArgumentNullException.ThrowIfNull(registration);
        TableKeys.Validate(registration.UserId, nameof(registration.UserId));
        TableKeys.Validate(registration.DeviceId, nameof(registration.DeviceId));
        if (string.IsNullOrWhiteSpace(registration.AppId))
        {
            throw new ArgumentException("AppId must not be empty.", nameof(registration));
        }
        if (string.IsNullOrWhiteSpace(registration.KeyId))
        {
            throw new ArgumentException("KeyId must not be empty.", nameof(registration));
        }
        if (string.IsNullOrEmpty(registration.PushToken) && string.IsNullOrEmpty(registration.VoipToken))
        {
            throw new ArgumentException("A registration needs a PushToken or a VoipToken.", nameof(registration));
        }
        if (registration.Key is null || registration.Key.Length != AesGcmDeviceKeyProtector.KeySize)
        {
            throw new ArgumentException($"Key must be {AesGcmDeviceKeyProtector.KeySize} bytes.", nameof(registration));
        }
    }

    private bool SameRegistration(DeviceEntity stored, DeviceEntity incoming, byte[] plaintextKey)
    {
        if (!string.Equals(stored.Platform, incoming.Platform, StringComparison.Ordinal) ||
            !string.Equals(stored.AppId, incoming.AppId, StringComparison.Ordinal) ||
            !string.Equals(stored.PushToken, incoming.PushToken, StringComparison.Ordinal) ||
            !string.Equals(stored.VoipToken, incoming.VoipToken, StringComparison.Ordinal) ||
            !string.Equals(stored.Environment, incoming.Environment, StringComparison.Ordinal) ||
            !string.Equals(stored.Region, incoming.Region, StringComparison.Ordinal) ||
            !string.Equals(stored.KeyId, incoming.KeyId, StringComparison.Ordinal))
        {
            return false;
        }
        // Wrapping uses a fresh nonce, so only the unwrapped keys can be compared.
        Span<byte> storedKey = stackalloc byte[AesGcmDeviceKeyProtector.KeySize];
        try
        {
            _protector.Unwrap(new WrappedDeviceKey(stored.KeyId, stored.KekId, stored.WrappedKey), storedKey);
            return CryptographicOperations.FixedTimeEquals(storedKey, plaintextKey);
        }
        catch (CryptographicException)
        {
            // A stored key that no longer unwraps (KEK retired) is worth replacing with the incoming one.
            return false;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(storedKey);
        }
    }

    private static async Task<DeviceEntity?> ReadAsync(TableClient table, string userId, string deviceId, CancellationToken cancellationToken)
    {
        var response = await table.GetEntityIfExistsAsync<DeviceEntity>(userId, deviceId, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue ? response.Value : null;
    }

    private async IAsyncEnumerable<DeviceEntity> QueryUserAsync(string userId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {userId}");
        await foreach (var entity in table.QueryAsync<DeviceEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            yield return entity;
        }
    }

    private void Invalidate(string userId)
    {
        // A read in flight may predate the write: later callers start a new one, and its result is not cached.
        _loads.TryRemove(userId, out _);
        _cache.Remove(CacheKey(userId));
    }

    private static string CacheKey(string userId) => "push-registry:devices:" + userId;

    private static string? EmptyAsNull(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private sealed record CachedDevices(IReadOnlyList<RegisteredDevice> Devices, DateTimeOffset LoadedAt);
}
