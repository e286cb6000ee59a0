using Microsoft.Extensions.Logging;

namespace Push.Core.Credentials;

public sealed partial class SharedApnsProviderTokenSource
{
    [LoggerMessage(EventId = 3414, Level = LogLevel.Warning,
        Message = "APNs rejected provider token {TokenHash} of team {TeamId} as expired, but it is only {Age} old: not replacing it before 20 minutes")]
    private static partial void LogRefreshRefused(ILogger logger, string teamId, string tokenHash, TimeSpan age);
}
