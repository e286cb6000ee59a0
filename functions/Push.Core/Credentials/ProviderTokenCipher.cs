using System.Security.Cryptography;
using System.Text;

namespace Push.Core.Credentials;

/// <summary>
/// Encrypts stored tokens with AES-256-GCM under a key derived (HKDF-SHA256) from the registry KEK, so the
/// token store never shares a key with device-key wrapping. Layout: nonce (12) || ciphertext || tag (16).
/// The blob name and KEK id are the associated data: a ciphertext copied to another credential's blob, or
/// relabelled, fails authentication instead of decrypting.
/// </summary>
internal sealed class ProviderTokenCipher : IDisposable
{
    public const string Info = "push-relay provider-token store v1";
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly AesGcm _aes;
    private readonly Lock _gate = new();

    public ProviderTokenCipher(string keyEncryptionKeyBase64, string kekId)
    {
        KekId = kekId;
        var kek = Convert.FromBase64String(keyEncryptionKeyBase64.Trim());
        var derived = HKDF.DeriveKey(HashAlgorithmName.SHA256, kek, 32, salt: [], info: Encoding.UTF8.GetBytes(Info));
        try
        {
            _aes = new AesGcm(derived, TagSize);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(kek);
            CryptographicOperations.ZeroMemory(derived);
        }
    }

    public string KekId { get; }

    public byte[] Encrypt(string token, string blobName)
    {
        var plain = Encoding.UTF8.GetBytes(token);
        var output = new byte[NonceSize + plain.Length + TagSize];
        RandomNumberGenerator.Fill(output.AsSpan(0, NonceSize));
        lock (_gate)
        {
            _aes.Encrypt(output.AsSpan(0, NonceSize), plain, output.AsSpan(NonceSize, plain.Length), output.AsSpan(NonceSize + plain.Length, TagSize), Aad(blobName, KekId));
        }
        CryptographicOperations.ZeroMemory(plain);
        return output;
    }

    /// <summary>The token, or null when the bytes do not authenticate (another KEK, tampering, another blob).</summary>
    public string? TryDecrypt(ReadOnlySpan<byte> data, string blobName, string kekId)
    {
        if (data.Length < NonceSize + TagSize || !string.Equals(kekId, KekId, StringComparison.Ordinal))
        {
            return null;
        }
        var length = data.Length - NonceSize - TagSize;
        var plain = new byte[length];
        try
        {
            lock (_gate)
            {
                _aes.Decrypt(data[..NonceSize], data.Slice(NonceSize, length), data.Slice(NonceSize + length, TagSize), plain, Aad(blobName, kekId));
            }
            return Encoding.UTF8.GetString(plain);
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    public void Dispose() => _aes.Dispose();

    private static byte[] Aad(string blobName, string kekId) => Encoding.UTF8.GetBytes(Info + "\n" + blobName + "\n" + kekId);
}
