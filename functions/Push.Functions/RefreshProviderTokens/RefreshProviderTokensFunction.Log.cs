using Microsoft.Extensions.Logging;
using Push.Core.Credentials;

namespace Push.Functions.RefreshProviderTokens;

public sealed partial class RefreshProviderTokensFunction
{
    [LoggerMessage(EventId = 3440, Level = LogLevel.Information,
        Message = "RefreshProviderTokens ran (past due: {IsPastDue}): APNs {Apns}, FCM {Fcm}")]
    private partial void LogRun(bool isPastDue, ProviderTokenRefreshOutcome apns, ProviderTokenRefreshOutcome fcm);
}
