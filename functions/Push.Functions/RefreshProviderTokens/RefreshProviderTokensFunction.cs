using Microsoft.Extensions.Logging;
using Push.Core.Credentials;
using Push.Hosting.Timers;

namespace Push.Functions.RefreshProviderTokens;

/// <summary>
/// Timer (setting <c>Timers:RefreshProviderTokens</c>, default every 5 minutes): keeps the shared APNs and FCM
/// tokens in the store fresh so senders never mint on the send path. The work is <see cref="ProviderTokenRefresher"/>'s;
/// it is safe even if two instances run it at once.
/// </summary>
public sealed partial class RefreshProviderTokensFunction : ITimerTriggeredFunction
{
    public const string Name = "RefreshProviderTokens";

    /// <summary>Every 5 minutes: a 50-minute refresh interval is then met within 5 minutes, far inside Apple's 60.</summary>
    public const string DefaultSchedule = "0 */5 * * * *";

    public const string ScheduleSetting = "Timers:RefreshProviderTokens";

    private readonly ProviderTokenRefresher _refresher;
    private readonly ILogger<RefreshProviderTokensFunction> _logger;

    public RefreshProviderTokensFunction(ProviderTokenRefresher refresher, ILogger<RefreshProviderTokensFunction> logger)
    {
        _refresher = refresher;
        _logger = logger;
    }

    public async Task RunAsync(TimerTriggerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        var report = await _refresher.RunAsync(cancellationToken).ConfigureAwait(false);
        LogRun(_logger, timer.ScheduledTime, timer.IsPastDue, report.Apns, report.Fcm);
        if (report.Failed)
        {
            // The refresher already raised the alarm; failing the run makes it visible in the timer's own telemetry too.
            throw new InvalidOperationException($"Provider-token refresh failed (APNs {report.Apns}, FCM {report.Fcm}); see event 3432/3433");
        }
    }

    [LoggerMessage(EventId = 3440, Level = LogLevel.Information,
        Message = "RefreshProviderTokens run for {ScheduledTime:O} (past due: {IsPastDue}): APNs {Apns}, FCM {Fcm}")]
    private static partial void LogRun(ILogger logger, DateTimeOffset scheduledTime, bool isPastDue, ProviderTokenRefreshOutcome apns, ProviderTokenRefreshOutcome fcm);
}
