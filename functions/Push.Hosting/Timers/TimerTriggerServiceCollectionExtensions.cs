using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Push.Hosting.Configuration;

namespace Push.Hosting.Timers;

/// <summary>Binds functions to schedules, as the Functions host's timer trigger does, one instance at a time.</summary>
public static class TimerTriggerServiceCollectionExtensions
{
    /// <summary>
    /// Adds the timer runtime's storage connection (<c>AzureWebJobsStorage</c>, or <c>AzureWebJobsStorage__blobServiceUri</c>)
    /// and reads <c>AzureFunctionsJobHost:extensions:timers</c>, <c>functionTimeout</c> and <c>shutdownTimeout</c> at start.
    /// Not needed when <c>AddStorageQueues(configuration)</c> is called: the timers then use its connection setting.
    /// </summary>
    public static IServiceCollection AddTimerTriggers(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(new StorageBlobConnection(configuration));
        AddCommon(services);
        services.AddFunctionsShutdownGrace(configuration);
        return services;
    }

    /// <summary>
    /// Binds <typeparamref name="TFunction"/> to <paramref name="schedule"/>: a six-field NCRONTAB expression
    /// (<c>{second} {minute} {hour} {day} {month} {day-of-week}</c>, UTC) or <c>%SettingName%</c> naming a setting that
    /// holds one. Only the instance holding the blob lease <c>locks/&lt;functionName&gt;</c> runs it; a missed occurrence
    /// is caught up once with <see cref="TimerTriggerInfo.IsPastDue"/>; <paramref name="runOnStartup"/> runs it once when
    /// this instance first takes the lease. The function is resolved from a new DI scope for each run. Requires
    /// <see cref="AddTimerTriggers"/> or <c>AddStorageQueues</c>; a bad schedule stops the host at start with an error
    /// naming the function and the setting.
    /// </summary>
    public static IServiceCollection AddTimerTrigger<TFunction>(this IServiceCollection services, string functionName, string schedule,
        bool runOnStartup = false)
        where TFunction : class, ITimerTriggeredFunction
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(functionName);
        ArgumentException.ThrowIfNullOrWhiteSpace(schedule);
        services.TryAddScoped<TFunction>();
        services.AddSingleton(new TimerTriggerRegistration(functionName, schedule, runOnStartup, typeof(TFunction)));
        AddCommon(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, TimerTriggerHostedService>());
        return services;
    }

    private static void AddCommon(IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<TimerTriggerTelemetry>();
    }
}
