using Push.Providers.Results;

namespace Push.Providers.Fcm;

/// <summary>One row of <see cref="FcmErrorTable"/>: an FCM <c>errorCode</c> (or canonical <c>status</c>), its usual HTTP status, and our reason.</summary>
public sealed record FcmError(string Code, int HttpStatus, PushFailureReason Reason);
