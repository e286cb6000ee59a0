using Microsoft.Extensions.Logging;
using Push.Providers.Results;

namespace Push.Providers.Apns;

public sealed partial class ApnsClient
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug,
        Message = "APNs accepted push {ApnsId} to device {TokenHash} in {ElapsedMs:0.0} ms")]
    private static partial void LogAccepted(ILogger logger, string tokenHash, string apnsId, double elapsedMs);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning,
        Message = "APNs rejected push {ApnsId} to device {TokenHash}: {HttpStatus} {AppleReason} ({Reason})")]
    private static partial void LogRejected(ILogger logger, string tokenHash, Guid apnsId, int httpStatus, string? appleReason, PushFailureReason reason);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning,
        Message = "Push {ApnsId} to device {TokenHash} refused before sending: {Reason}")]
    private static partial void LogRefused(ILogger logger, string tokenHash, Guid apnsId, PushFailureReason reason);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information,
        Message = "APNs said the provider token expired; resending push {ApnsId} to device {TokenHash} with token {ProviderTokenHash}")]
    private static partial void LogRetryWithFreshToken(ILogger logger, string tokenHash, Guid apnsId, string providerTokenHash);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning,
        Message = "APNs push {ApnsId} to device {TokenHash} got no answer on connection {Connection}: {Reason} ({Detail})")]
    private static partial void LogTransportFailure(ILogger logger, string tokenHash, Guid apnsId, PushFailureReason reason, int connection, string detail);
}
