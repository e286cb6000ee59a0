using Microsoft.Extensions.Options;
using Push.Core.Storage;

namespace Push.Core.Credentials;

/// <summary>Checks the <c>ProviderTokens</c> section at start; messages name the setting.</summary>
public sealed class SharedProviderTokenOptionsValidator : IValidateOptions<SharedProviderTokenOptions>
{
    private const string Prefix = SharedProviderTokenOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, SharedProviderTokenOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!StorageNames.IsQueueOrContainerName(options.ContainerName))
        {
            failures.Add($"{Prefix}{nameof(options.ContainerName)} must be 3-63 lower-case letters, digits and single hyphens (a blob container name)");
        }
        Range(options.StoreRecheckInterval, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), nameof(options.StoreRecheckInterval), failures);
        Range(options.LeaseWaitTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(2), nameof(options.LeaseWaitTimeout), failures);
        Range(options.FailureBackoff, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10), nameof(options.FailureBackoff), failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Range(TimeSpan value, TimeSpan min, TimeSpan max, string setting, List<string> failures)
    {
        if (value < min || value > max)
        {
            failures.Add($"{Prefix}{setting} must lie between {min} and {max}");
        }
    }
}
