using Push.Providers.Results;

namespace Push.Providers.Apns;

/// <summary>One row of <see cref="ApnsRejectionTable"/>: Apple's reason string, the status Apple sends it with, and our reason.</summary>
public sealed record ApnsRejection(string AppleReason, int HttpStatus, PushFailureReason Reason);
