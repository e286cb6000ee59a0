using Push.Core.Protection;
using Push.Core.Registry;

namespace Push.Bench.PassThrough;

/// <summary>
/// The envelope AesGcmPayloadCipher produces, same sizes (12-byte nonce, plaintext + 16-byte tag), with no key unwrap and
/// no encryption: what the pipeline costs without its crypto.
/// </summary>
internal sealed class PassThroughCipher : IPayloadCipher
{
    private static readonly byte[] Nonce = new byte[PushEnvelope.NonceBytes];

    public PushEnvelope Seal(RegisteredDevice device, string envelopeType, string trackingId, ReadOnlySpan<byte> plaintext)
    {
        var ciphertext = new byte[plaintext.Length + PushEnvelope.TagBytes];
        plaintext.CopyTo(ciphertext);
        return new PushEnvelope(PushEnvelope.CurrentVersion, envelopeType, trackingId, device.WrappedKey.KeyId, Nonce, ciphertext);
    }
}
