using Microsoft.Extensions.Options;
using Push.Core.Storage;

namespace Push.Core.Ledger;

public sealed class DeliveryLedgerOptionsValidator : IValidateOptions<DeliveryLedgerOptions>
{
    public ValidateOptionsResult Validate(string? name, DeliveryLedgerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return TableNames.IsValid(options.Table)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Ledger:Table '{options.Table}' is not a valid table name (3-63 letters and digits, starting with a letter).");
    }
}
