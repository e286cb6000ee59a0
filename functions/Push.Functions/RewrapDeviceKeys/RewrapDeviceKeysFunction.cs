using Microsoft.Azure.Functions.Worker;
using Push.Core.Registry;

namespace Push.Functions.RewrapDeviceKeys;

/// <summary>
/// Timer (<c>Timers:RewrapDeviceKeys</c>, hourly by default; one instance at a time): after a key-encryption-key rotation,
/// moves the device keys still wrapped with an earlier KEK to the current one, and says when the earlier KEK is no longer
/// used. The work is <see cref="DeviceKeyRewrap"/>'s; with no earlier KEK configured a run does nothing.
/// </summary>
public sealed class RewrapDeviceKeysFunction(DeviceKeyRewrap rewrap)
{
    public const string Name = "RewrapDeviceKeys";

    /// <summary>Hourly, at a minute the other timers do not use.</summary>
    public const string DefaultSchedule = "0 40 * * * *";

    [Function(Name)]
    public async Task RunAsync([TimerTrigger("%Timers:RewrapDeviceKeys%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var report = await rewrap.RunAsync(cancellationToken).ConfigureAwait(false);
        if (report.Unreadable.Count > 0)
        {
            // Each row was logged (event 3152); failing the run makes it visible in the function's own telemetry too.
            var byKek = string.Join(", ", report.Unreadable.Select(pair => $"{pair.Value} wrapped with '{pair.Key}'"));
            throw new InvalidOperationException($"Device keys that cannot be re-wrapped: {byKek}; see event 3152");
        }
    }
}
