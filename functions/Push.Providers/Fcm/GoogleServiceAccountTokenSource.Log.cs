using Microsoft.Extensions.Logging;

namespace Push.Providers.Fcm;

public sealed partial class GoogleServiceAccountTokenSource
{
    [LoggerMessage(EventId = 1211, Level = LogLevel.Information,
        Message = "Fetched FCM access token {TokenHash} for {ClientEmail}, valid until {ExpiresAt:O} ({Why})")]
    private static partial void LogFetched(ILogger logger, string clientEmail, string tokenHash, DateTimeOffset expiresAt, string why);
}
