using Microsoft.Extensions.Logging;

namespace Push.Core.Credentials;

public sealed partial class ProviderTokenRefresher
{
    [LoggerMessage(EventId = 3430, Level = LogLevel.Information,
        Message = "Refreshed the shared {Provider} token for {Credential}: {TokenHash}, issued {IssuedAt:O}, expires {ExpiresAt:O}")]
    private static partial void LogRefreshed(ILogger logger, string provider, string credential, string tokenHash, DateTimeOffset issuedAt, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 3431, Level = LogLevel.Debug,
        Message = "The shared {Provider} token for {Credential} ({TokenHash}, {Age} old) is not due")]
    private static partial void LogStillFresh(ILogger logger, string provider, string credential, string tokenHash, TimeSpan age);

    [LoggerMessage(EventId = 3432, Level = LogLevel.Critical,
        Message = "Provider-token refresh failed for {Provider}: {Detail}. Senders keep the current token until it expires")]
    private static partial void LogSecretFailed(ILogger logger, string provider, string detail);

    [LoggerMessage(EventId = 3433, Level = LogLevel.Error,
        Message = "Provider-token refresh failed for {Provider} ({Reason}: {Detail}); the next run retries")]
    private static partial void LogFailed(ILogger logger, string provider, string reason, string detail);
}
