namespace Push.Core.Ledger;

/// <summary>Where one event × device stands. The last four are final: never pushed again.</summary>
public enum DeliveryStatus
{
    /// <summary>Tried, not yet settled (a transient failure, waiting for redelivery).</summary>
    Pending,
    Delivered,
    Expired,
    TokenRemoved,
    DeadLettered,
}

public static class DeliveryStatusExtensions
{
    public static bool IsFinal(this DeliveryStatus status) => status != DeliveryStatus.Pending;
}
