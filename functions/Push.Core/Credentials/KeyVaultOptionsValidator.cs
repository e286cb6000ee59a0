using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Push.Core.Credentials;

/// <summary>
/// Checks the <c>KeyVault</c> section at start, and that the provider secrets come from somewhere: the files
/// <c>Apns:PrivateKeyPath</c> and <c>Fcm:ServiceAccountPath</c> (whose contents the providers' own validators check), or
/// Key Vault (whose secrets <see cref="ProviderSecretsCheck"/> reads at start). Messages name the setting.
/// </summary>
public sealed partial class KeyVaultOptionsValidator(IConfiguration configuration) : IValidateOptions<KeyVaultOptions>
{
    private const string Prefix = KeyVaultOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, KeyVaultOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Uri is null)
        {
            if (string.IsNullOrWhiteSpace(configuration["Apns:PrivateKeyPath"]))
            {
                failures.Add("Apns:PrivateKeyPath is required (the .p8 key file from Apple), or set KeyVault:Uri to read the key from Key Vault");
            }
            if (string.IsNullOrWhiteSpace(configuration["Fcm:ServiceAccountPath"]))
            {
                failures.Add("Fcm:ServiceAccountPath is required (the service-account JSON), or set KeyVault:Uri to read it from Key Vault");
            }
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
        if (!options.Uri.IsAbsoluteUri || options.Uri.Scheme != System.Uri.UriSchemeHttps)
        {
            failures.Add($"{Prefix}{nameof(options.Uri)} must be an absolute https:// URI of the vault");
        }
        CheckName(options.ApnsKeySecretName, nameof(options.ApnsKeySecretName), failures);
        CheckName(options.FcmServiceAccountSecretName, nameof(options.FcmServiceAccountSecretName), failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckName(string? value, string setting, List<string> failures)
    {
        if (string.IsNullOrEmpty(value) || !SecretNamePattern().IsMatch(value))
        {
            failures.Add($"{Prefix}{setting} must be a Key Vault secret name (1-127 letters, digits and hyphens)");
        }
    }

    [GeneratedRegex("^[0-9a-zA-Z-]{1,127}$")]
    private static partial Regex SecretNamePattern();
}
