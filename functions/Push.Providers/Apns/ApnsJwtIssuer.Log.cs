using Microsoft.Extensions.Logging;

namespace Push.Providers.Apns;

public sealed partial class ApnsJwtIssuer
{
    [LoggerMessage(EventId = 1201, Level = LogLevel.Information,
        Message = "Minted APNs provider token {TokenHash} for team {TeamId} key {KeyId} ({Why})")]
    private static partial void LogMinted(ILogger logger, string teamId, string keyId, string tokenHash, string why);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning,
        Message = "APNs rejected provider token {TokenHash} of team {TeamId} as expired, but it is only {Age} old: not re-minting before 20 minutes")]
    private static partial void LogRefreshRefused(ILogger logger, string teamId, string tokenHash, TimeSpan age);
}
