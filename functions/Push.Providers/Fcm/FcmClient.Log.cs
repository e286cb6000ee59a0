using Microsoft.Extensions.Logging;
using Push.Providers.Results;

namespace Push.Providers.Fcm;

public sealed partial class FcmClient
{
    [LoggerMessage(EventId = 1101, Level = LogLevel.Debug,
        Message = "FCM accepted message {MessageName} to device {TokenHash} in {ElapsedMs:0.0} ms")]
    private static partial void LogAccepted(ILogger logger, string tokenHash, string messageName, double elapsedMs);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning,
        Message = "FCM rejected message to device {TokenHash}: {HttpStatus} {FcmError} ({Reason})")]
    private static partial void LogRejected(ILogger logger, string tokenHash, int httpStatus, string? fcmError, PushFailureReason reason);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning,
        Message = "FCM message to device {TokenHash} refused before sending: {Reason}")]
    private static partial void LogRefused(ILogger logger, string tokenHash, PushFailureReason reason);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Information,
        Message = "FCM answered 401; resending to device {TokenHash} with access token {AccessTokenHash}")]
    private static partial void LogRetryWithFreshToken(ILogger logger, string tokenHash, string accessTokenHash);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Warning,
        Message = "FCM message to device {TokenHash} got no answer: {Reason} ({Detail})")]
    private static partial void LogTransportFailure(ILogger logger, string tokenHash, PushFailureReason reason, string detail);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Error,
        Message = "No FCM access token for the message to device {TokenHash}: {Detail}; check Fcm:ServiceAccountPath (not retried)")]
    private static partial void LogTokenEndpointRefused(ILogger logger, string tokenHash, string detail);

    [LoggerMessage(EventId = 1107, Level = LogLevel.Warning,
        Message = "No FCM access token for the message to device {TokenHash}: the OAuth token endpoint is unavailable ({Detail}); retried later")]
    private static partial void LogTokenEndpointUnavailable(ILogger logger, string tokenHash, string detail);
}
