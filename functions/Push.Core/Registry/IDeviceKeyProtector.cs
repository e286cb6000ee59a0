namespace Push.Core.Registry;

/// <summary>
/// Wraps device keys with the key-encryption key (KEK) from configuration before they rest in the
/// registry, and unwraps them for the payload cipher.
/// </summary>
public interface IDeviceKeyProtector
{
    WrappedDeviceKey Wrap(string keyId, ReadOnlySpan<byte> key);

    /// <summary>Writes the 32-byte key into <paramref name="destination"/>; throws CryptographicException if it was tampered with.</summary>
    void Unwrap(WrappedDeviceKey wrapped, Span<byte> destination);
}
