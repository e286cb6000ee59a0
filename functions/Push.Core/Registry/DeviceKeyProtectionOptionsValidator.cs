using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Push.Core.Registry;

/// <summary>
/// Checks the KEK settings at start. Messages name the setting and never contain its value.
/// </summary>
public sealed partial class DeviceKeyProtectionOptionsValidator : IValidateOptions<DeviceKeyProtectionOptions>
{
    internal const int KeySize = 32;
    private const string Prefix = DeviceKeyProtectionOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, DeviceKeyProtectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var currentId = options.KeyEncryptionKeyId;
        TryDecodeKey(options.KeyEncryptionKey, Prefix + nameof(options.KeyEncryptionKey), failures, out _);
        CheckId(currentId, Prefix + nameof(options.KeyEncryptionKeyId), failures);

        foreach (var (id, value) in options.PreviousKeyEncryptionKeys)
        {
            var setting = $"{Prefix}{nameof(options.PreviousKeyEncryptionKeys)}:{id}";
            CheckId(id, setting, failures);
            if (string.Equals(id, currentId, StringComparison.Ordinal))
            {
                failures.Add($"{setting} uses the same id as {Prefix}{nameof(options.KeyEncryptionKeyId)}: every KEK needs its own id.");
            }
            TryDecodeKey(value, setting, failures, out _);
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Decodes a KEK; on failure adds a message naming <paramref name="setting"/> (without the value).</summary>
    internal static bool TryDecodeKey(string? value, string setting, List<string> failures, out byte[] key)
    {
        key = [];
        if (string.IsNullOrWhiteSpace(value))
        {
            failures.Add($"{setting} is missing: set it to the base64 of {KeySize} random bytes.");
            return false;
        }
        byte[] decoded;
        try
        {
            decoded = Convert.FromBase64String(value.Trim());
        }
        catch (FormatException)
        {
            failures.Add($"{setting} is not valid base64: it must be the base64 of {KeySize} random bytes.");
            return false;
        }
        if (decoded.Length != KeySize)
        {
            failures.Add($"{setting} decodes to {decoded.Length} bytes; AES-256 needs exactly {KeySize}.");
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(decoded);
            return false;
        }
        key = decoded;
        return true;
    }

    private static void CheckId(string? id, string setting, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            failures.Add($"{setting} is missing: set a short label for the key-encryption key (e.g. 'kek_2025_01').");
        }
        else if (!IdPattern().IsMatch(id))
        {
            failures.Add($"{setting} must be 1 to 32 letters, digits or '_' (an earlier key's id becomes part of an app setting name, which Azure allows no other characters in).");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_]{1,32}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();
}
