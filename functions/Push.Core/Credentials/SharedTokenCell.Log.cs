using Microsoft.Extensions.Logging;

namespace Push.Core.Credentials;

internal sealed partial class SharedTokenCell
{
    [LoggerMessage(EventId = 3410, Level = LogLevel.Information,
        Message = "Now using shared {Provider} token {TokenHash} issued {IssuedAt:O} (minted here: {MintedHere})")]
    private static partial void LogNowUsing(ILogger logger, string provider, string tokenHash, DateTimeOffset issuedAt, bool mintedHere);

    [LoggerMessage(EventId = 3411, Level = LogLevel.Critical,
        Message = "Cannot refresh the {Provider} token: {Detail}. Pushes will fail once the current token expires")]
    private static partial void LogSecretFailed(ILogger logger, string provider, string detail);

    [LoggerMessage(EventId = 3412, Level = LogLevel.Error,
        Message = "Refreshing the shared {Provider} token failed ({Reason}: {Detail})")]
    private static partial void LogRefreshFailed(ILogger logger, string provider, string reason, string detail);

    [LoggerMessage(EventId = 3413, Level = LogLevel.Warning,
        Message = "Serving the last valid {Provider} token {TokenHash} until it expires at {ExpiresAt:O}")]
    private static partial void LogServingLastValid(ILogger logger, string provider, string tokenHash, DateTimeOffset expiresAt);
}
