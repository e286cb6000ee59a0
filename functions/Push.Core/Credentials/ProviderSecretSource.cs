using Azure;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Options;
using Push.Providers.Apns;
using Push.Providers.Fcm;

namespace Push.Core.Credentials;

/// <summary>
/// Reads the provider secrets at each refresh, so a rotated key is picked up without a restart: from the
/// files Apns:PrivateKeyPath and Fcm:ServiceAccountPath, or, when KeyVault:Uri is set, from Key Vault.
/// Failures raise <see cref="ProviderSecretException"/> naming the setting or secret, never its content.
/// </summary>
public class ProviderSecretSource
{
    private readonly KeyVaultOptions _keyVault;
    private readonly ApnsOptions _apns;
    private readonly FcmOptions _fcm;
    private readonly SecretClient? _secrets;

    /// <param name="secretClient">Required when KeyVault:Uri is set; the DI registration builds one with DefaultAzureCredential.</param>
    public ProviderSecretSource(IOptions<KeyVaultOptions> keyVault, IOptions<ApnsOptions> apns, IOptions<FcmOptions> fcm, SecretClient? secretClient = null)
    {
        _keyVault = keyVault.Value;
        _apns = apns.Value;
        _fcm = fcm.Value;
        _secrets = secretClient;
        if (UsesKeyVault && _secrets is null)
        {
            throw new InvalidOperationException("KeyVault:Uri is set but no Key Vault SecretClient is available");
        }
    }

    /// <summary>True when secrets come from Key Vault rather than files.</summary>
    public bool UsesKeyVault => _keyVault.Uri is not null;

    /// <summary>Where the APNs key comes from, for messages (a setting or secret name, never content).</summary>
    public string ApnsKeyOrigin => UsesKeyVault
        ? $"Key Vault secret '{_keyVault.ApnsKeySecretName}' (KeyVault:ApnsKeySecretName)"
        : $"Apns:PrivateKeyPath '{_apns.PrivateKeyPath}'";

    /// <summary>Where the service account comes from, for messages.</summary>
    public string FcmServiceAccountOrigin => UsesKeyVault
        ? $"Key Vault secret '{_keyVault.FcmServiceAccountSecretName}' (KeyVault:FcmServiceAccountSecretName)"
        : $"Fcm:ServiceAccountPath '{_fcm.ServiceAccountPath}'";

    /// <summary>The APNs .p8 PEM text.</summary>
    public virtual Task<string> GetApnsKeyPemAsync(CancellationToken cancellationToken) =>
        UsesKeyVault
            ? ReadSecretAsync(_keyVault.ApnsKeySecretName, ApnsKeyOrigin, cancellationToken)
            : ReadFileAsync(_apns.PrivateKeyPath, ApnsKeyOrigin, cancellationToken);

    /// <summary>The service-account JSON text.</summary>
    public virtual Task<string> GetFcmServiceAccountJsonAsync(CancellationToken cancellationToken) =>
        UsesKeyVault
            ? ReadSecretAsync(_keyVault.FcmServiceAccountSecretName, FcmServiceAccountOrigin, cancellationToken)
            : ReadFileAsync(_fcm.ServiceAccountPath, FcmServiceAccountOrigin, cancellationToken);

    private async Task<string> ReadSecretAsync(string name, string origin, CancellationToken cancellationToken)
    {
        KeyVaultSecret secret;
        try
        {
            secret = (await _secrets!.GetSecretAsync(name, null, cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException ex)
        {
            // The status and error code say enough (404 SecretNotFound, 403 Forbidden); the message may quote the request.
            throw new ProviderSecretException($"{origin} could not be read: {ex.Status} {ex.ErrorCode}");
        }
        catch (Azure.Identity.AuthenticationFailedException ex)
        {
            throw new ProviderSecretException($"{origin} could not be read: no Azure credential ({ex.GetType().Name})");
        }
        if (string.IsNullOrWhiteSpace(secret?.Value))
        {
            throw new ProviderSecretException($"{origin} is empty");
        }
        return secret.Value;
    }

    private static async Task<string> ReadFileAsync(string path, string origin, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new ProviderSecretException($"{origin} is not set");
        }
        try
        {
            var text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
            return string.IsNullOrWhiteSpace(text) ? throw new ProviderSecretException($"{origin} is empty") : text;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ProviderSecretException($"{origin} cannot be read: {ex.GetType().Name}");
        }
    }
}
