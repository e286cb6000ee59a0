using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Push.Providers;

namespace Push.Core.Registry;

/// <summary>
/// Wraps 32-byte device keys with AES-256-GCM under the configured KEK.
/// Wrapped layout: nonce (12) || ciphertext (32) || tag (16). The associated data binds the wrapped key
/// to its device key id and KEK id, so a wrapped blob moved to another key id, or relabelled with another
/// KEK id, fails authentication instead of unwrapping.
/// </summary>
public sealed class AesGcmDeviceKeyProtector : IDeviceKeyProtector, IDisposable
{
    public const int KeySize = 32;
    public const int NonceSize = 12;
    public const int TagSize = 16;
    public const int WrappedSize = NonceSize + KeySize + TagSize;

    // Versioned so a future layout change can be told apart from tampering.
    private static readonly byte[] AadLabel = "push-relay/device-key/v1"u8.ToArray();

    private readonly Kek _current;
    private readonly Dictionary<string, Kek> _byId;

    public AesGcmDeviceKeyProtector(IOptions<DeviceKeyProtectionOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var value = ValidatedOptions.ThrowIfInvalid(new DeviceKeyProtectionOptionsValidator(), options.Value);

        _byId = new Dictionary<string, Kek>(StringComparer.Ordinal);
        _current = Add(value.KeyEncryptionKeyId!, value.KeyEncryptionKey!);
        foreach (var (id, key) in value.PreviousKeyEncryptionKeys)
        {
            Add(id, key);
        }
    }

    /// <summary>The id of the KEK new keys are wrapped with.</summary>
    public string CurrentKekId => _current.Id;

    /// <summary>The earlier KEKs still configured (Registry:PreviousKeyEncryptionKeys), by id, in order.</summary>
    public IReadOnlyList<string> PreviousKekIds => [.. _byId.Keys.Where(id => id != _current.Id).Order(StringComparer.Ordinal)];

    /// <summary>Whether a key wrapped with <paramref name="kekId"/> can be unwrapped here.</summary>
    public bool CanUnwrap(string? kekId) => kekId is not null && _byId.ContainsKey(kekId);

    /// <summary>
    /// The same device key wrapped again with the current KEK (a fresh nonce; the plain key never leaves this method).
    /// </summary>
    /// <exception cref="CryptographicException">The KEK it was wrapped with is not configured, or the blob fails authentication.</exception>
    public WrappedDeviceKey Rewrap(WrappedDeviceKey wrapped)
    {
        ArgumentNullException.ThrowIfNull(wrapped);
        Span<byte> key = stackalloc byte[KeySize];
        try
        {
            Unwrap(wrapped, key);
            return Wrap(wrapped.KeyId, key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    public WrappedDeviceKey Wrap(string keyId, ReadOnlySpan<byte> key)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"A device key must be {KeySize} bytes (got {key.Length}).", nameof(key));
        }
        var wrapped = new byte[WrappedSize];
        var nonce = wrapped.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        var aad = Aad(keyId, _current.Id);
        lock (_current.Gate)
        {
            _current.Aes.Encrypt(nonce, key, wrapped.AsSpan(NonceSize, KeySize), wrapped.AsSpan(NonceSize + KeySize, TagSize), aad);
        }
        return new WrappedDeviceKey(keyId, _current.Id, wrapped);
    }

    public void Unwrap(WrappedDeviceKey wrapped, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(wrapped);
        if (destination.Length < KeySize)
        {
            throw new ArgumentException($"The destination must hold {KeySize} bytes.", nameof(destination));
        }
        if (wrapped.Wrapped is null || wrapped.Wrapped.Length != WrappedSize)
        {
            throw new CryptographicException($"The wrapped device key '{wrapped.KeyId}' has the wrong length.");
        }
        if (!_byId.TryGetValue(wrapped.KekId ?? string.Empty, out var kek))
        {
            // The KEK id is a label, not a secret: naming it tells the operator which key to restore.
            throw new CryptographicException($"The device key '{wrapped.KeyId}' is wrapped with KEK '{wrapped.KekId}', which is not configured (Registry:KeyEncryptionKeyId or Registry:PreviousKeyEncryptionKeys).");
        }
        var blob = wrapped.Wrapped.AsSpan();
        var aad = Aad(wrapped.KeyId, kek.Id);
        try
        {
            lock (kek.Gate)
            {
                kek.Aes.Decrypt(blob[..NonceSize], blob.Slice(NonceSize, KeySize), blob.Slice(NonceSize + KeySize, TagSize), destination[..KeySize], aad);
            }
        }
        catch (AuthenticationTagMismatchException ex)
        {
            CryptographicOperations.ZeroMemory(destination[..KeySize]);
            throw new CryptographicException($"The device key '{wrapped.KeyId}' failed authentication: tampered with, or wrapped with another KEK.", ex);
        }
    }

    public void Dispose()
    {
        foreach (var kek in _byId.Values)
        {
            kek.Aes.Dispose();
        }
    }

    private Kek Add(string id, string base64)
    {
        var bytes = Convert.FromBase64String(base64.Trim());
        try
        {
            var kek = new Kek(id, new AesGcm(bytes, TagSize));
            _byId.Add(id, kek);
            return kek;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    private static byte[] Aad(string keyId, string kekId)
    {
        // Length-prefixed fields: "ab"+"c" and "a"+"bc" must not give the same associated data.
        var keyIdBytes = Encoding.UTF8.GetBytes(keyId);
        var kekIdBytes = Encoding.UTF8.GetBytes(kekId);
        var aad = new byte[AadLabel.Length + 4 + keyIdBytes.Length + 4 + kekIdBytes.Length];
        var span = aad.AsSpan();
        AadLabel.CopyTo(span);
        span = span[AadLabel.Length..];
        BinaryPrimitives.WriteInt32BigEndian(span, keyIdBytes.Length);
        keyIdBytes.CopyTo(span[4..]);
        span = span[(4 + keyIdBytes.Length)..];
        BinaryPrimitives.WriteInt32BigEndian(span, kekIdBytes.Length);
        kekIdBytes.CopyTo(span[4..]);
        return aad;
    }

    // AesGcm instances are not documented as thread-safe; a lock per KEK is cheaper than a new instance per call.
    private sealed record Kek(string Id, AesGcm Aes)
    {
        public object Gate { get; } = new();
    }
}
