using System.Collections.Concurrent;
using System.Security.Cryptography;
using Push.Core.Registry;

namespace Push.Core.Protection;

/// <summary>
/// AES-256-GCM with the device's key: a fresh 96-bit random nonce per push and a 128-bit tag. Keys are
/// unwrapped once and kept as <see cref="AesGcm"/> instances in a bounded cache (building one per push costs
/// about 4×); the plaintext key bytes are zeroed as soon as the instance holds them.
/// </summary>
public sealed class AesGcmPayloadCipher : IPayloadCipher, IDisposable
{
    public const int DefaultCacheCapacity = 4096;

    private readonly IDeviceKeyProtector _protector;
    private readonly int _capacity;
    private readonly ConcurrentDictionary<string, CachedKey> _cache = new(StringComparer.Ordinal);
    private readonly object _evictionGate = new();
    private long _clock;

    public AesGcmPayloadCipher(IDeviceKeyProtector protector, int cacheCapacity = DefaultCacheCapacity)
    {
        ArgumentNullException.ThrowIfNull(protector);
        ArgumentOutOfRangeException.ThrowIfLessThan(cacheCapacity, 1);
        _protector = protector;
        _capacity = cacheCapacity;
    }

    public PushEnvelope Seal(RegisteredDevice device, string envelopeType, string trackingId, ReadOnlySpan<byte> plaintext)
    {
        ArgumentNullException.ThrowIfNull(device);
        var associatedData = EnvelopeAssociatedData.Create(envelopeType, trackingId, device.DeviceId);
        var nonce = new byte[PushEnvelope.NonceBytes];
        RandomNumberGenerator.Fill(nonce);
        var sealedBytes = new byte[plaintext.Length + PushEnvelope.TagBytes];

        var cacheKey = CacheKey(device);
        while (true)
        {
            var entry = GetOrCreate(cacheKey, device.WrappedKey);
            // AesGcm is not safe for concurrent use: one push per key at a time; an evicted entry is retired
            // under the same lock, so a push either finishes before disposal or retries with a new entry.
            lock (entry)
            {
                if (entry.Retired)
                {
                    continue;
                }
                entry.LastUsed = Interlocked.Increment(ref _clock);
                entry.Aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(0, plaintext.Length),
                    sealedBytes.AsSpan(plaintext.Length), associatedData);
            }
            break;
        }

        return new PushEnvelope(PushEnvelope.CurrentVersion, envelopeType, trackingId, device.WrappedKey.KeyId, nonce, sealedBytes);
    }

    public void Dispose()
    {
        foreach (var key in _cache.Keys)
        {
            if (_cache.TryRemove(key, out var entry)) Retire(entry);
        }
    }

    // A re-registration with a new key (or a KEK rotation) changes the wrapped bytes, so it gets a new entry.
    private static string CacheKey(RegisteredDevice device) =>
        string.Join('\n', device.UserId, device.DeviceId, device.WrappedKey.KeyId, device.WrappedKey.KekId,
            Convert.ToBase64String(device.WrappedKey.Wrapped));

    private CachedKey GetOrCreate(string cacheKey, WrappedDeviceKey wrapped)
    {
        if (_cache.TryGetValue(cacheKey, out var existing))
        {
            return existing;
        }

        // Stamped as used now, so eviction right after adding never picks the entry it is adding.
        var created = new CachedKey(CreateAes(wrapped)) { LastUsed = Interlocked.Increment(ref _clock) };
        if (!_cache.TryAdd(cacheKey, created))
        {
            created.Aes.Dispose();
            return _cache.TryGetValue(cacheKey, out var winner) ? winner : GetOrCreate(cacheKey, wrapped);
        }
        if (_cache.Count > _capacity)
        {
            EvictLeastRecentlyUsed();
        }
        return created;
    }

    private AesGcm CreateAes(WrappedDeviceKey wrapped)
    {
        Span<byte> key = stackalloc byte[32];
        try
        {
            _protector.Unwrap(wrapped, key);
            return new AesGcm(key, PushEnvelope.TagBytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    // Evicts a tenth at once so a full cache does not scan on every new device.
    private void EvictLeastRecentlyUsed()
    {
        lock (_evictionGate)
        {
            var excess = _cache.Count - _capacity;
            if (excess <= 0) return;
            var toEvict = Math.Max(excess, _capacity / 10);
            foreach (var (key, _) in _cache.ToArray().OrderBy(pair => pair.Value.LastUsed).Take(toEvict))
            {
                if (_cache.TryRemove(key, out var entry)) Retire(entry);
            }
        }
    }

    private static void Retire(CachedKey entry)
    {
        lock (entry)
        {
            entry.Retired = true;
            entry.Aes.Dispose();
        }
    }

    private sealed class CachedKey(AesGcm aes)
    {
        public AesGcm Aes { get; } = aes;
        public long LastUsed { get; set; }
        public bool Retired { get; set; }
    }
}
