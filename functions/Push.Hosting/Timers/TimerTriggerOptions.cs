using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Push.Hosting.Configuration;

namespace Push.Hosting.Timers;

/// <summary>
/// The timer trigger's settings, host.json <c>extensions.timers</c> (ours: Functions keeps its singleton locks in the
/// fixed <c>azure-webjobs-hosts</c> container with a 15-second lock period, not configurable per trigger).
/// </summary>
public sealed partial class TimerTriggerOptions
{
    public const string SectionPath = FunctionsHostJsonExtensions.SectionName + ":extensions:timers";

    /// <summary>Blob leases last 15 to 60 seconds (or forever, which a crashed holder could never give up).</summary>
    public static readonly TimeSpan MinLeaseDuration = TimeSpan.FromSeconds(15);

    public static readonly TimeSpan MaxLeaseDuration = TimeSpan.FromSeconds(60);

    /// <summary><c>container</c>: where the leases (<c>locks/&lt;function&gt;</c>) and schedule status (<c>timers/&lt;function&gt;/status</c>) live, default <c>push-runtime</c>.</summary>
    public string Container { get; init; } = "push-runtime";

    /// <summary>
    /// <c>leaseDuration</c>: the lease on a timer, 15..60 s, default 15 s (Functions' singleton lock period). It is
    /// renewed every third of it, so a crashed holder hands the timer over after at most this long.
    /// </summary>
    public TimeSpan LeaseDuration { get; init; } = MinLeaseDuration;

    /// <summary>
    /// <c>leaseAcquireInterval</c>: how often an instance without the lease tries to take it, default 5 s (Functions
    /// polls its listener lock similarly). After the holder stops gracefully, the next instance takes over within this.
    /// </summary>
    public TimeSpan LeaseAcquireInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Renewing at a third leaves two more chances before the lease runs out.</summary>
    public TimeSpan LeaseRenewInterval => LeaseDuration / 3;

    internal static TimerTriggerOptions Read(IConfiguration configuration, SettingReader reader)
    {
        var section = configuration.GetSection(SectionPath);
        var container = section.GetSection("container");
        var name = string.IsNullOrWhiteSpace(container.Value) ? "push-runtime" : container.Value.Trim();
        if (!ContainerName().IsMatch(name) || name.Length is < 3 or > 63)
        {
            reader.AddError($"{container.Path} must be a blob container name: 3..63 lower-case letters, digits and single hyphens (was '{name}')");
        }
        return new TimerTriggerOptions
        {
            Container = name,
            LeaseDuration = reader.ReadTimeSpan(section, "leaseDuration", MinLeaseDuration, MinLeaseDuration, MaxLeaseDuration),
            LeaseAcquireInterval = reader.ReadTimeSpan(section, "leaseAcquireInterval", TimeSpan.FromSeconds(5),
                TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5)),
        };
    }

    [GeneratedRegex("^[a-z0-9](?!.*--)[a-z0-9-]*[a-z0-9]$")]
    private static partial Regex ContainerName();
}
