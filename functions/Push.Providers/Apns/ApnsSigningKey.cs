using System.Security.Cryptography;

namespace Push.Providers.Apns;

/// <summary>
/// Loads and checks Apple's .p8 signing key: a PKCS#8 PEM of an ECDSA key on curve P-256. The one parser for it,
/// for the start-up check, the provider's own token issuer and the shared-token minter (whose key may come from
/// Key Vault). Errors name where the key came from and never include key material.
/// </summary>
public static class ApnsSigningKey
{
    private const string Setting = "Apns:PrivateKeyPath";
    private const string P256Oid = "1.2.840.10045.3.1.7";

    public static ECDsa Load(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new InvalidOperationException($"{Setting} is required (the .p8 key file from Apple)");
        }
        string pem;
        try
        {
            pem = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"{Setting} '{path}' cannot be read: {ex.GetType().Name}");
        }
        return Parse(pem, $"{Setting} '{path}'");
    }

    /// <param name="origin">Where the PEM came from, for the message: a setting and its value, or a Key Vault secret.</param>
    /// <exception cref="InvalidOperationException">Not a PKCS#8 PEM P-256 key; the message starts with <paramref name="origin"/>.</exception>
    public static ECDsa Parse(string pem, string origin)
    {
        ArgumentNullException.ThrowIfNull(pem);
        if (!PemEncoding.TryFind(pem, out var fields) || pem[fields.Label] is not "PRIVATE KEY")
        {
            throw new InvalidOperationException($"{origin} is not a PKCS#8 PEM private key (expected a PEM block labelled 'PRIVATE KEY', as Apple's .p8 files are)");
        }
        byte[] der;
        try
        {
            der = Convert.FromBase64String(pem[fields.Base64Data]);
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"{origin} has malformed base64 in its PEM body");
        }
        var key = ECDsa.Create();
        try
        {
            key.ImportPkcs8PrivateKey(der, out _);
            var parameters = key.ExportParameters(false);
            if (key.KeySize != 256 || parameters.Curve.Oid?.Value is not P256Oid && parameters.Curve.Oid?.FriendlyName is not ("nistP256" or "ECDSA_P256"))
            {
                throw new InvalidOperationException($"{origin} is not a P-256 key (ES256 needs curve P-256, found {key.KeySize} bits)");
            }
            return key;
        }
        catch (CryptographicException)
        {
            key.Dispose();
            throw new InvalidOperationException($"{origin} is not a valid PKCS#8 ECDSA private key");
        }
        catch
        {
            key.Dispose();
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(der);
        }
    }
}
