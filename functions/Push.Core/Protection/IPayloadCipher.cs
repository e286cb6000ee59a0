using Push.Core.Registry;

namespace Push.Core.Protection;

/// <summary>Seals a push's plaintext for one device (an interface so benchmarks can swap in a pass-through).</summary>
public interface IPayloadCipher
{
    /// <param name="envelopeType">The event type, carried in clear and bound into the associated data.</param>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The device's wrapped key cannot be unwrapped.</exception>
    PushEnvelope Seal(RegisteredDevice device, string envelopeType, string trackingId, ReadOnlySpan<byte> plaintext);
}
