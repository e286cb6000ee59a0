using Push.Providers.Results;

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

    /// <summary>The provider failure <see cref="Reason"/> names, when it names one (by name only: a number would map to some member).</summary>
    public PushFailureReason? ProviderFailure =>
        Reason is { Length: > 0 } reason && !char.IsAsciiDigit(reason[0]) && Enum.TryParse<PushFailureReason>(reason, ignoreCase: false, out var failure)
            ? failure
            : null;

    /// <summary>
    /// Dead-lettered because the retry budget ran out while the provider was failing transiently. The event went to the
    /// dead letters with <c>RetriesExhausted</c> so that triage replays it once the outage is over: such a row is final
    /// only until then, and the replay (or a redelivery the relay did not get to dead-letter) tries the device again,
    /// with a new budget. A device delivered, expired, removed or rejected for good is never pushed again.
    /// </summary>
    public bool RanOutOfRetries => Status == DeliveryStatus.DeadLettered && ProviderFailure is { } failure && failure.IsTransient();
}
