using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Push.Core.Credentials;
using Push.Hosting.Timers;

namespace Push.Functions.RefreshProviderTokens;

/// <summary>Wires the shared provider tokens and their refresh timer into the function app.</summary>
public static class RefreshProviderTokensServiceCollectionExtensions
{
    /// <summary>
    /// The <see cref="RefreshProviderTokensFunction"/> timer (schedule from <c>Timers:RefreshProviderTokens</c>,
    /// default every 5 minutes, run once at start so a first instance finds tokens ready). The shared token
    /// sources it refreshes (<see cref="SharedProviderTokensServiceCollectionExtensions.AddSharedProviderTokens"/>)
    /// are registered on every instance, whether or not it runs this timer.
    /// </summary>
    public static IServiceCollection AddRefreshProviderTokens(this IServiceCollection services, IConfiguration configuration)
    {
        var schedule = string.IsNullOrWhiteSpace(configuration[RefreshProviderTokensFunction.ScheduleSetting])
            ? RefreshProviderTokensFunction.DefaultSchedule
            : "%" + RefreshProviderTokensFunction.ScheduleSetting + "%";
        services.AddTimerTrigger<RefreshProviderTokensFunction>(RefreshProviderTokensFunction.Name, schedule, runOnStartup: true);
        return services;
    }
}
