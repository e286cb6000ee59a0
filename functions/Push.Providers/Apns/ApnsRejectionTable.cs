using System.Collections.Frozen;
using Push.Providers.Results;

namespace Push.Providers.Apns;

/// <summary>
/// Apple's documented rejection reasons ("Handling notification responses from APNs", table 2)
/// with their statuses, mapped to <see cref="PushFailureReason"/>. What to do next follows from
/// the mapped reason alone.
/// </summary>
public static class ApnsRejectionTable
{
    public static IReadOnlyList<ApnsRejection> All { get; } =
    [
        new("BadCollapseId", 400, PushFailureReason.BadCollapseId),
        new("BadDeviceToken", 400, PushFailureReason.BadDeviceToken),
        new("BadExpirationDate", 400, PushFailureReason.BadExpirationDate),
        new("BadMessageId", 400, PushFailureReason.BadMessageId),
        new("BadPriority", 400, PushFailureReason.BadPriority),
        new("BadTopic", 400, PushFailureReason.BadTopic),
        new("DeviceTokenNotForTopic", 400, PushFailureReason.DeviceTokenNotForTopic),
        new("DuplicateHeaders", 400, PushFailureReason.InvalidRequest),
        // APNs closed an idle stream: nothing is wrong with the push, so a resend is expected to work.
        new("IdleTimeout", 400, PushFailureReason.NetworkFailure),
        new("InvalidPushType", 400, PushFailureReason.InvalidPushType),
        // A missing token is our request's fault, not the device's: the stored token must not be removed.
        new("MissingDeviceToken", 400, PushFailureReason.InvalidRequest),
        new("MissingTopic", 400, PushFailureReason.MissingTopic),
        new("PayloadEmpty", 400, PushFailureReason.PayloadEmpty),
        new("TopicDisallowed", 400, PushFailureReason.TopicDisallowed),
        new("BadCertificate", 403, PushFailureReason.AuthenticationFailed),
        new("BadCertificateEnvironment", 403, PushFailureReason.AuthenticationFailed),
        new("ExpiredProviderToken", 403, PushFailureReason.ExpiredProviderToken),
        new("Forbidden", 403, PushFailureReason.Forbidden),
        new("InvalidProviderToken", 403, PushFailureReason.InvalidProviderToken),
        new("MissingProviderToken", 403, PushFailureReason.MissingProviderToken),
        // The kid does not belong to the team: a configuration error like an invalid token.
        new("UnrelatedKeyIdInToken", 403, PushFailureReason.InvalidProviderToken),
        new("BadPath", 404, PushFailureReason.InvalidRequest),
        new("MethodNotAllowed", 405, PushFailureReason.MethodNotAllowed),
        new("ExpiredToken", 410, PushFailureReason.Unregistered),
        new("Unregistered", 410, PushFailureReason.Unregistered),
        new("PayloadTooLarge", 413, PushFailureReason.PayloadTooLarge),
        new("TooManyProviderTokenUpdates", 429, PushFailureReason.TooManyProviderTokenUpdates),
        new("TooManyRequests", 429, PushFailureReason.TooManyRequests),
        new("InternalServerError", 500, PushFailureReason.InternalServerError),
        new("ServiceUnavailable", 503, PushFailureReason.ServiceUnavailable),
        new("Shutdown", 503, PushFailureReason.Shutdown),
    ];

    private static readonly FrozenDictionary<string, ApnsRejection> ByReason =
        All.ToFrozenDictionary(r => r.AppleReason, StringComparer.Ordinal);

    /// <summary>
    /// Our reason for an APNs answer. A known reason string wins; an unknown one is
    /// <see cref="PushFailureReason.Unknown"/> (permanent, status kept by the caller). With no reason at all
    /// (an empty body, e.g. from an intermediary) the status alone decides for the transient classes.
    /// </summary>
    public static PushFailureReason Map(int httpStatus, string? appleReason)
    {
        if (!string.IsNullOrEmpty(appleReason))
        {
            return ByReason.TryGetValue(appleReason, out var row) ? row.Reason : PushFailureReason.Unknown;
        }
        return httpStatus switch
        {
            413 => PushFailureReason.PayloadTooLarge,
            429 => PushFailureReason.TooManyRequests,
            500 => PushFailureReason.InternalServerError,
            502 or 503 or 504 => PushFailureReason.ServiceUnavailable,
            _ => PushFailureReason.Unknown,
        };
    }

    public static ApnsRejection? Find(string appleReason) =>
        ByReason.TryGetValue(appleReason, out var row) ? row : null;
}
