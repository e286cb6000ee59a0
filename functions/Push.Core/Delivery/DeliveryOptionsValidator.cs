using Microsoft.Extensions.Options;

namespace Push.Core.Delivery;

/// <summary>Checks <see cref="DeliveryOptions"/> at start; each failure names its setting, never its value.</summary>
public sealed class DeliveryOptionsValidator : IValidateOptions<DeliveryOptions>
{
    public ValidateOptionsResult Validate(string? name, DeliveryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string s = DeliveryOptions.SectionName;
        var failures = new List<string>();
        Check(options.RetryBaseDelay >= TimeSpan.FromMilliseconds(10) && options.RetryBaseDelay <= TimeSpan.FromMinutes(10),
            $"{s}:{nameof(options.RetryBaseDelay)} must be between 10 ms and 10 minutes.");
        Check(options.RetryMaxDelay >= TimeSpan.FromMilliseconds(10) && options.RetryMaxDelay <= TimeSpan.FromHours(1),
            $"{s}:{nameof(options.RetryMaxDelay)} must be between 10 ms and 1 hour.");
        Check(options.RetryBudget >= TimeSpan.Zero && options.RetryBudget <= TimeSpan.FromDays(7),
            $"{s}:{nameof(options.RetryBudget)} must be between 0 and 7 days.");
        Check(options.MaxParallelDevices is >= 1 and <= 256,
            $"{s}:{nameof(options.MaxParallelDevices)} must be between 1 and 256.");
        Check(options.LedgerGroupCommitWindow >= TimeSpan.Zero && options.LedgerGroupCommitWindow <= TimeSpan.FromSeconds(5),
            $"{s}:{nameof(options.LedgerGroupCommitWindow)} must be between 0 and 5 seconds.");
        Check(options.MessageYieldLimit >= TimeSpan.Zero && options.MessageYieldLimit <= TimeSpan.FromSeconds(30),
            $"{s}:{nameof(options.MessageYieldLimit)} must be between 0 and 30 seconds.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Check(bool valid, string failure)
        {
            if (!valid) failures.Add(failure);
        }
    }
}
