using System.Collections.Frozen;
using Push.Providers.Results;

namespace Push.Providers.Fcm;

/// <summary>
/// FCM HTTP v1 errors mapped to <see cref="PushFailureReason"/>: first by <c>error.details[].errorCode</c>
/// (FCM's own codes, firebase.google.com …/rest/v1/ErrorCode), then by the canonical <c>error.status</c>,
/// then by the HTTP status alone.
/// </summary>
public static class FcmErrorTable
{
    /// <summary>Google's rule: back off at least this long after QUOTA_EXCEEDED when no Retry-After came.</summary>
    public static readonly TimeSpan DefaultQuotaRetryAfter = TimeSpan.FromSeconds(60);

    public static IReadOnlyList<FcmError> ErrorCodes { get; } =
    [
        new("UNREGISTERED", 404, PushFailureReason.Unregistered),
        new("INVALID_ARGUMENT", 400, PushFailureReason.InvalidRequest),
        new("SENDER_ID_MISMATCH", 403, PushFailureReason.SenderIdMismatch),
        new("QUOTA_EXCEEDED", 429, PushFailureReason.TooManyRequests),
        new("UNAVAILABLE", 503, PushFailureReason.ServiceUnavailable),
        new("INTERNAL", 500, PushFailureReason.InternalServerError),
        // The APNs credentials uploaded to Firebase are bad: retrying or refreshing our token cannot help.
        new("THIRD_PARTY_AUTH_ERROR", 401, PushFailureReason.AuthenticationFailed),
        new("UNSPECIFIED_ERROR", 500, PushFailureReason.Unknown),
    ];

    public static IReadOnlyList<FcmError> Statuses { get; } =
    [
        new("INVALID_ARGUMENT", 400, PushFailureReason.InvalidRequest),
        new("UNAUTHENTICATED", 401, PushFailureReason.AuthenticationFailed),
        new("PERMISSION_DENIED", 403, PushFailureReason.Forbidden),
        // Without FCM's UNREGISTERED detail a 404 more likely means a wrong project or URL than a dead
        // token; removing tokens on it could wipe a whole registry after a configuration mistake.
        new("NOT_FOUND", 404, PushFailureReason.InvalidRequest),
        new("RESOURCE_EXHAUSTED", 429, PushFailureReason.TooManyRequests),
        new("INTERNAL", 500, PushFailureReason.InternalServerError),
        new("UNAVAILABLE", 503, PushFailureReason.ServiceUnavailable),
        new("DEADLINE_EXCEEDED", 504, PushFailureReason.ServiceUnavailable),
    ];

    private static readonly FrozenDictionary<string, FcmError> ByErrorCode = ErrorCodes.ToFrozenDictionary(e => e.Code, StringComparer.Ordinal);
    private static readonly FrozenDictionary<string, FcmError> ByStatus = Statuses.ToFrozenDictionary(e => e.Code, StringComparer.Ordinal);

    public static PushFailureReason Map(int httpStatus, string? errorCode, string? status)
    {
        if (!string.IsNullOrEmpty(errorCode))
        {
            return ByErrorCode.TryGetValue(errorCode, out var byCode) ? byCode.Reason : PushFailureReason.Unknown;
        }
        if (!string.IsNullOrEmpty(status) && ByStatus.TryGetValue(status, out var byStatus))
        {
            return byStatus.Reason;
        }
        return httpStatus switch
        {
            400 => PushFailureReason.InvalidRequest,
            401 => PushFailureReason.AuthenticationFailed,
            403 => PushFailureReason.Forbidden,
            404 => PushFailureReason.InvalidRequest,
            413 => PushFailureReason.PayloadTooLarge,
            429 => PushFailureReason.TooManyRequests,
            500 => PushFailureReason.InternalServerError,
            502 or 503 or 504 => PushFailureReason.ServiceUnavailable,
            _ => PushFailureReason.Unknown,
        };
    }

    /// <summary>True for a 429-class answer, which gets <see cref="DefaultQuotaRetryAfter"/> when FCM sent no Retry-After.</summary>
    internal static bool IsQuota(int httpStatus, string? errorCode, string? status) =>
        errorCode == "QUOTA_EXCEEDED" || status == "RESOURCE_EXHAUSTED" || (errorCode is null && httpStatus == 429);
}
