using Microsoft.Extensions.Options;
using Push.Core.Storage;

namespace Push.Core.Registry;

/// <summary>Checks <see cref="DeviceRegistryOptions"/> at start; each failure names its setting, never its value.</summary>
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
            failures.Add(TableNames.Failure("Registry:DevicesTable"));
        }
        if (options.CacheDuration < TimeSpan.Zero || options.CacheDuration > MaxCacheDuration)
        {
            failures.Add($"Registry:CacheDuration must be between 00:00:00 and {MaxCacheDuration:c}.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
