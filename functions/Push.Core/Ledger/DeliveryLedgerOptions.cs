namespace Push.Core.Ledger;

/// <summary>Where the delivery ledger lives. Section "Ledger".</summary>
public sealed class DeliveryLedgerOptions
{
    public const string SectionName = "Ledger";

    /// <summary>Table name (3-63 letters and digits, starting with a letter). Default "deliveries".</summary>
    public string Table { get; set; } = "deliveries";
}
