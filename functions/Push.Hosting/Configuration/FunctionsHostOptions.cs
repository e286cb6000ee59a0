using Microsoft.Extensions.Configuration;

namespace Push.Hosting.Configuration;

/// <summary>Host-wide settings from the top level of host.json.</summary>
public sealed class FunctionsHostOptions
{
    /// <summary>Default for <c>functionTimeout</c>: the Consumption plan's default, which also suits a dedicated host.</summary>
    public static readonly TimeSpan DefaultFunctionTimeout = TimeSpan.FromMinutes(5);

    /// <summary>
    /// <c>functionTimeout</c>: how long one invocation may run before its token is cancelled and it counts as failed.
    /// <see langword="null"/> ("-1" in host.json) means no limit.
    /// </summary>
    public TimeSpan? FunctionTimeout { get; init; } = DefaultFunctionTimeout;

    /// <summary>
    /// <c>shutdownTimeout</c> (our extension): the grace period in-flight functions get on shutdown; it sets the Generic
    /// Host's <c>HostOptions.ShutdownTimeout</c>. <see langword="null"/> leaves the Generic Host's own setting.
    /// </summary>
    public TimeSpan? ShutdownTimeout { get; init; }

    internal static FunctionsHostOptions Read(IConfiguration configuration, SettingReader reader)
    {
        var section = configuration.GetSection(FunctionsHostJsonExtensions.SectionName);
        var shutdown = section.GetSection("shutdownTimeout").Value is null
            ? (TimeSpan?)null
            : reader.ReadTimeSpan(section, "shutdownTimeout", TimeSpan.FromSeconds(30), TimeSpan.Zero, TimeSpan.FromHours(1));
        return new FunctionsHostOptions
        {
            FunctionTimeout = reader.ReadOptionalLimit(section, "functionTimeout", DefaultFunctionTimeout,
                TimeSpan.FromSeconds(1), TimeSpan.FromDays(1)),
            ShutdownTimeout = shutdown,
        };
    }
}
