namespace Push.Core.Ledger;

/// <summary>
/// One row of the delivery ledger: partition = tracking id, row = device id (or <see cref="NoDevicesRowKey"/>,
/// <see cref="NoMatchingDevicesRowKey"/>).
/// </summary>
/// <param name="ApnsId">The apns-id every attempt at this push carries (<see cref="Delivery.ApnsIds"/>); null for FCM.</param>
/// <param name="Reason">For DeadLettered / Pending: our failure reason name, or the problem with the event.</param>
public sealed record LedgerEntry(
    string TrackingId,
    string DeviceId,
    string EventType,
    DeliveryStatus Status,
    string? Provider,
    string? Reason,
    Guid? ApnsId,
    string? ProviderMessageId,
    int Attempts,
    DateTimeOffset FirstAttemptAt,
    DateTimeOffset LastAttemptAt)
{
    /// <summary>Row key recording that the event's user had no device when it was processed.</summary>
    public const string NoDevicesRowKey = "_no-devices";

    /// <summary>The reason on the <see cref="NoDevicesRowKey"/> row.</summary>
    public const string NoDevicesReason = "NoDevices";

    /// <summary>
    /// Row key recording that the user had devices but none of those the event named (a call's
    /// <c>devices</c>): nothing was pushed, and the producer probably has a stale or mistyped device id.
    /// </summary>
    public const string NoMatchingDevicesRowKey = "_no-matching-devices";

    /// <summary>The reason on the <see cref="NoMatchingDevicesRowKey"/> row.</summary>
    public const string NoMatchingDevicesReason = "NoMatchingDevices";
}
