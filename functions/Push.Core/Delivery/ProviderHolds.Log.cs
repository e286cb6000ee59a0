using Microsoft.Extensions.Logging;
using Push.Providers.Results;

namespace Push.Core.Delivery;

// Fixed event ids 3600-3609 (see ../LogEvents.md). Tokens only as short hashes.
public sealed partial class ProviderHolds
{
    [LoggerMessage(3601, LogLevel.Warning, "{Provider} answered {Reason} with Retry-After for token {TokenHash}: no push to that {Scope} on {Endpoint} for {Hold}")]
    private partial void LogHoldStarted(string provider, string endpoint, string scope, string tokenHash, PushFailureReason reason, TimeSpan hold);

    [LoggerMessage(3602, LogLevel.Information, "Event {TrackingId} to device {DeviceHash}: not sent, {Provider} holds the {Scope} (token {TokenHash}) for {Remaining} more")]
    private partial void LogHeld(string trackingId, string deviceHash, string provider, string scope, string tokenHash, TimeSpan remaining);

    [LoggerMessage(3603, LogLevel.Warning, "{Provider} asked to hold token {TokenHash}, but {Limit} token holds are live: not recorded")]
    private partial void LogHoldTableFull(string provider, string tokenHash, int limit);
}
