using Microsoft.Extensions.Options;
using Push.Core.Storage;

namespace Push.Core.DeadLetters;

/// <summary>Checks <see cref="DeadLetterOptions"/> at start; each failure names its setting.</summary>
public sealed class DeadLetterOptionsValidator : IValidateOptions<DeadLetterOptions>
{
    // Storage's limit on a message's invisibility.
    private static readonly TimeSpan MaxVisibility = TimeSpan.FromDays(7);

    public ValidateOptionsResult Validate(string? name, DeadLetterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!TableNames.IsValid(options.ArchiveTable))
        {
            failures.Add(TableNames.Failure("DeadLetters:ArchiveTable"));
        }
        if (options.ReplayCoolDown < TimeSpan.Zero || options.ReplayCoolDown > MaxVisibility)
        {
            failures.Add("DeadLetters:ReplayCoolDown must be between 00:00:00 and 7.00:00:00.");
        }
        if (options.MaxReplays is < 0 or > 100)
        {
            failures.Add("DeadLetters:MaxReplays must be between 0 and 100.");
        }
        if (options.MaxEntriesPerRun is < 1 or > 10_000)
        {
            failures.Add("DeadLetters:MaxEntriesPerRun must be between 1 and 10000.");
        }
        if (options.Lease < TimeSpan.FromSeconds(10) || options.Lease > TimeSpan.FromHours(1))
        {
            failures.Add("DeadLetters:Lease must be between 00:00:10 and 01:00:00.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
