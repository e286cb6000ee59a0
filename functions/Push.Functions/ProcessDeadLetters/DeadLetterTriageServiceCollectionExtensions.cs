using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Push.Core.DeadLetters;
using Push.Functions.Composition;
using Push.Hosting.DeadLetters;
using Push.Hosting.Queues;
using Push.Hosting.ServiceBus;

namespace Push.Functions.ProcessDeadLetters;

public static class DeadLetterTriageServiceCollectionExtensions
{
    /// <summary>
    /// Adds dead-letter triage: <see cref="DeadLetterOptions"/> (section "DeadLetters", validated at start), the archive,
    /// the Storage poison-queue reader, <see cref="DeadLetterTriage"/> and <see cref="ProcessDeadLettersFunction"/>.
    /// Expects from the host: a <see cref="TableServiceClient"/> (the relay's, from AzureWebJobsStorage), the
    /// <see cref="StorageQueueConnection"/> (<c>AddStorageQueues</c>), a <see cref="TimeProvider"/> and metrics
    /// (<c>AddMetrics</c>). The timer binding is the caller's:
    /// <c>services.AddTimerTrigger&lt;ProcessDeadLettersFunction&gt;(ProcessDeadLettersFunction.Name, schedule)</c>.
    /// </summary>
    public static IServiceCollection AddDeadLetterTriage(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<DeadLetterOptions>().Bind(configuration.GetSection(DeadLetterOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DeadLetterOptions>, DeadLetterOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<DeadLetterArchive>();
        services.TryAddSingleton<DeadLetterMetrics>();
        if (ServiceBusServiceCollectionExtensions.UsesServiceBus(configuration))
        {
            // Service Bus transport: the dead letters are in <queue>/$DeadLetterQueue (RabbitMQ: <queue>-poison over AMQP).
            services.TryAddSingleton(sp => ServiceBusDeadLetterReader.FromConfiguration(configuration, sp.GetRequiredService<TimeProvider>()));
            services.TryAddSingleton<IDeadLetterQueue, ServiceBusDeadLetterQueue>();
        }
        services.TryAddSingleton(sp => new PoisonQueueClient(sp.GetRequiredService<StorageQueueConnection>()));
        services.TryAddSingleton<IDeadLetterQueue, StoragePoisonQueue>();
        services.TryAddSingleton<DeadLetterTriage>();
        services.TryAddSingleton(_ => SourceQueues(configuration));
        services.TryAddScoped<ProcessDeadLettersFunction>();
        return services;
    }

    /// <summary>The schedule for the timer binding: <c>DeadLetters:Schedule</c> or every 5 minutes.</summary>
    public static string Schedule(IConfiguration configuration) =>
        configuration[$"{DeadLetterOptions.SectionName}:Schedule"] is { Length: > 0 } schedule ? schedule : ProcessDeadLettersFunction.DefaultSchedule;

    private static DeadLetterSourceQueues SourceQueues(IConfiguration configuration)
    {
        var names = configuration.GetSection(QueueNames.SectionName).Get<QueueNames>() ?? new QueueNames();
        return new DeadLetterSourceQueues([names.Calls, names.Messages, names.Devices]);
    }
}
