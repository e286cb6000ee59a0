namespace Push.Sandbox;

/// <summary>
/// Every request the APNs, FCM or OAuth stand-ins answered, accepted or not: count attempts and check
/// that retries kept their apns-id. <paramref name="Status"/> is 0 for a hung or reset request.
/// </summary>
/// <param name="Target">Apns, Fcm or OAuth.</param>
/// <param name="DeviceToken">The APNs device token or FCM registration token when one was parsed.</param>
/// <param name="RequestApnsId">The apns-id header the client sent, if any.</param>
/// <param name="Reason">APNs reason, FCM errorCode/status or OAuth error; null on success.</param>
/// <param name="Fault">The injected fault kind that shaped the answer, if any.</param>
public sealed record RecordedRequest(
    string Target,
    string Method,
    string Path,
    string? DeviceToken,
    string? RequestApnsId,
    int Status,
    string? Reason,
    SandboxFaultKind? Fault,
    DateTimeOffset ReceivedAt);
