namespace Push.Providers.Results;

/// <summary>
/// Why a push was not accepted, for both providers. Each provider's own reason strings map here
/// through one table per provider (<c>ApnsRejectionTable</c>, <c>FcmErrorTable</c>); what to do next
/// follows from the reason alone (<see cref="PushFailureReasonExtensions"/>).
/// </summary>
public enum PushFailureReason
{
    /// <summary>A reason the provider sent that no table knows. Treated as permanent.</summary>
    Unknown = 0,

    // The device token is no longer valid: remove it.
    Unregistered,
    BadDeviceToken,
    DeviceTokenNotForTopic,

    // The request is wrong: never retry it as it is.
    BadTopic,
    TopicDisallowed,
    MissingTopic,
    InvalidPushType,
    BadCollapseId,
    BadExpirationDate,
    BadPriority,
    BadMessageId,
    PayloadEmpty,
    PayloadTooLarge,
    InvalidRequest,
    MethodNotAllowed,
    Forbidden,
    SenderIdMismatch,

    // Our credentials are wrong or stale.
    ExpiredProviderToken,
    InvalidProviderToken,
    MissingProviderToken,
    AuthenticationFailed,

    // Slow down.
    TooManyProviderTokenUpdates,
    TooManyRequests,

    // The provider is unwell.
    InternalServerError,
    ServiceUnavailable,
    Shutdown,

    /// <summary>
    /// No access token could be had because the OAuth token endpoint was unreachable, did not answer in time
    /// or answered 5xx / 429: an outage, not a verdict on the credentials (which is <see cref="AuthenticationFailed"/>).
    /// </summary>
    TokenEndpointUnavailable,

    // The request never got an answer (see PushTransportException).
    NetworkFailure,
    Timeout,
}
