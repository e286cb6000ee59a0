using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Push.Core.Credentials;

namespace Push.Functions.RefreshProviderTokens;

/// <summary>
/// Timer (<c>Timers:RefreshProviderTokens</c>, every 5 minutes by default): keeps the shared APNs and FCM tokens in the
/// store fresh so senders never mint on the send path. The work is <see cref="ProviderTokenRefresher"/>'s; it is safe
/// even if two instances run it at once.
/// </summary>
public sealed partial class RefreshProviderTokensFunction(ProviderTokenRefresher refresher, ILogger<RefreshProviderTokensFunction> logger)
{
    public const string Name = "RefreshProviderTokens";

    /// <summary>Every 5 minutes: a 50-minute refresh interval is then met within 5 minutes, far inside Apple's 60.</summary>
    public const string DefaultSchedule = "0 */5 * * * *";

    // RunOnStartup: a new instance must find tokens ready rather than wait for the next occurrence; the refresher only
    // mints when the stored token is due, so a start costs a read, not a new token (Apple's 20-minute rule holds).
    [Function(Name)]
    public async Task RunAsync([TimerTrigger("%Timers:RefreshProviderTokens%", RunOnStartup = true)] TimerInfo timer,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        var report = await refresher.RunAsync(cancellationToken).ConfigureAwait(false);
        LogRun(timer.IsPastDue, report.Apns, report.Fcm);
        if (report.Failed)
        {
            // The refresher already raised the alarm; failing the run makes it visible in the function's own telemetry too.
            throw new InvalidOperationException($"Provider-token refresh failed (APNs {report.Apns}, FCM {report.Fcm}); see event 3432/3433");
        }
    }
}
