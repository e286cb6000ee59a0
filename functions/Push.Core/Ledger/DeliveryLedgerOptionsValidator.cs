using Microsoft.Extensions.Options;
using Push.Core.Storage;

namespace Push.Core.Ledger;

/// <summary>Checks <see cref="DeliveryLedgerOptions"/> at start; the failure names the setting, never its value.</summary>
public sealed class DeliveryLedgerOptionsValidator : IValidateOptions<DeliveryLedgerOptions>
{
    public ValidateOptionsResult Validate(string? name, DeliveryLedgerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return TableNames.IsValid(options.Table)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(TableNames.Failure("Ledger:Table"));
    }
}
