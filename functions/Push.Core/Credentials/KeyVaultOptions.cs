namespace Push.Core.Credentials;

/// <summary>
/// Where provider secrets come from when they are not files; section <c>KeyVault</c>. When <see cref="Uri"/>
/// is set, the .p8 key and the service-account JSON are read from these Key Vault secrets (with
/// DefaultAzureCredential: the function app's managed identity in Azure) instead of Apns:PrivateKeyPath and
/// Fcm:ServiceAccountPath.
/// </summary>
public sealed class KeyVaultOptions
{
    public const string SectionName = "KeyVault";

    /// <summary>The vault, e.g. https://relay-kv.vault.azure.net/. Unset: secrets come from files.</summary>
    public Uri? Uri { get; set; }

    /// <summary>The secret holding the APNs .p8 PEM. Default <c>apns-auth-key-p8</c>.</summary>
    public string ApnsKeySecretName { get; set; } = "apns-auth-key-p8";

    /// <summary>The secret holding the FCM service-account JSON. Default <c>fcm-service-account-json</c>.</summary>
    public string FcmServiceAccountSecretName { get; set; } = "fcm-service-account-json";
}
