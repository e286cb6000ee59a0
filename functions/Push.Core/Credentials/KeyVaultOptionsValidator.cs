using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Push.Core.Credentials;

/// <summary>Checks the <c>KeyVault</c> section at start; messages name the setting.</summary>
public sealed partial class KeyVaultOptionsValidator : IValidateOptions<KeyVaultOptions>
{
    private const string Prefix = KeyVaultOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, KeyVaultOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Uri is null)
        {
            return ValidateOptionsResult.Success;
        }
        var failures = new List<string>();
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
