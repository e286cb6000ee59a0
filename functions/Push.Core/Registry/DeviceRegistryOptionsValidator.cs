using Microsoft.Extensions.Options;
using Push.Core.Storage;

namespace Push.Core.Registry;

public sealed class DeviceRegistryOptionsValidator : IValidateOptions<DeviceRegistryOptions>
{
    /// <summary>Longer than this, a user would wait too long to see a new device on another instance.</summary>
    public static readonly TimeSpan MaxCacheDuration = TimeSpan.FromMinutes(5);

    public ValidateOptionsResult Validate(string? name, DeviceRegistryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!TableNames.IsValid(options.DevicesTable))
        {
            failures.Add($"Registry:DevicesTable '{options.DevicesTable}' is not a valid table name (3-63 letters and digits, starting with a letter).");
        }
        if (options.CacheDuration < TimeSpan.Zero || options.CacheDuration > MaxCacheDuration)
        {
            failures.Add($"Registry:CacheDuration must be between 00:00:00 and {MaxCacheDuration:c} (got {options.CacheDuration:c}).");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
