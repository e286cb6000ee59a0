using Microsoft.Extensions.Logging;

namespace Push.Core.Credentials;

public sealed partial class ProviderTokenStore
{
    [LoggerMessage(EventId = 3400, Level = LogLevel.Information,
        Message = "Stored provider token {TokenHash} in {BlobName} (issued {IssuedAt:O}, expires {ExpiresAt:O})")]
    private static partial void LogStored(ILogger logger, string blobName, string tokenHash, DateTimeOffset issuedAt, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 3401, Level = LogLevel.Information,
        Message = "Another instance stored {BlobName} first ({Condition}); using its token")]
    private static partial void LogLostRace(ILogger logger, string blobName, string condition);

    [LoggerMessage(EventId = 3402, Level = LogLevel.Warning,
        Message = "Stored provider token {BlobName} cannot be read ({Why}); it will be replaced at the next refresh")]
    private static partial void LogUnreadable(ILogger logger, string blobName, string why);

    [LoggerMessage(EventId = 3403, Level = LogLevel.Warning,
        Message = "Another instance held the refresh lease on {BlobName} for longer than {Timeout}; using the stored token as it is")]
    private static partial void LogLeaseWaitTimedOut(ILogger logger, string blobName, TimeSpan timeout);

    [LoggerMessage(EventId = 3404, Level = LogLevel.Warning,
        Message = "Releasing a provider-token lease failed with status {Status}; it lapses by itself within 15 s")]
    private static partial void LogLeaseReleaseFailed(ILogger logger, int status);
}
