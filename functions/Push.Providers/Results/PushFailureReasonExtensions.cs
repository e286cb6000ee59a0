namespace Push.Providers.Results;

/// <summary>What follows from a failure reason. The reason is the single source of truth.</summary>
public static class PushFailureReasonExtensions
{
    /// <summary>
    /// True when sending the same push again later may succeed (provider outage, throttling,
    /// network trouble, a stale provider token that a refresh fixes).
    /// </summary>
    public static bool IsTransient(this PushFailureReason reason) => reason switch
    {
        PushFailureReason.TooManyRequests
            or PushFailureReason.TooManyProviderTokenUpdates
            or PushFailureReason.InternalServerError
            or PushFailureReason.ServiceUnavailable
            or PushFailureReason.Shutdown
            or PushFailureReason.TokenEndpointUnavailable
            or PushFailureReason.NetworkFailure
            or PushFailureReason.Timeout
            or PushFailureReason.ExpiredProviderToken => true,
        _ => false,
    };

    /// <summary>True when the device token must be removed from the registry (never sent to again).</summary>
    public static bool RemovesToken(this PushFailureReason reason) => reason switch
    {
        PushFailureReason.Unregistered
            or PushFailureReason.BadDeviceToken
            or PushFailureReason.DeviceTokenNotForTopic => true,
        _ => false,
    };
}
