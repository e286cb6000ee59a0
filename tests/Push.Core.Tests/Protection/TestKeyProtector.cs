using System.Security.Cryptography;
using Push.Core.Registry;

namespace Push.Core.Tests.Protection;

/// <summary>
/// Wraps device keys with AES-GCM under a throwaway test KEK (the registry's real protector is tested with
/// the registry). Counts unwraps so tests can see the cipher's key cache at work.
/// </summary>
internal sealed class TestKeyProtector : IDeviceKeyProtector
{
    private readonly byte[] _kek = RandomNumberGenerator.GetBytes(32);
    private int _unwrapCount;

    public int UnwrapCount => Volatile.Read(ref _unwrapCount);

    public WrappedDeviceKey Wrap(string keyId, ReadOnlySpan<byte> key)
    {
        var nonce = RandomNumberGenerator.GetBytes(12);
        var wrapped = new byte[12 + key.Length + 16];
        nonce.CopyTo(wrapped, 0);
        using var aes = new AesGcm(_kek, 16);
        aes.Encrypt(nonce, key, wrapped.AsSpan(12, key.Length), wrapped.AsSpan(12 + key.Length), System.Text.Encoding.UTF8.GetBytes(keyId));
        return new WrappedDeviceKey(keyId, "test-kek", wrapped);
    }

    public void Unwrap(WrappedDeviceKey wrapped, Span<byte> destination)
    {
        Interlocked.Increment(ref _unwrapCount);
        var bytes = wrapped.Wrapped;
        using var aes = new AesGcm(_kek, 16);
        aes.Decrypt(bytes.AsSpan(0, 12), bytes.AsSpan(12, bytes.Length - 28), bytes.AsSpan(bytes.Length - 16),
            destination[..(bytes.Length - 28)], System.Text.Encoding.UTF8.GetBytes(wrapped.KeyId));
    }
}
