using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Push.Hosting.Configuration;

namespace Push.Hosting.Queues;

/// <summary>Binds functions to Storage queues, as the Functions host's queue trigger does.</summary>
public static class QueueTriggerServiceCollectionExtensions
{
    /// <summary>
    /// Adds the Storage-queue runtime: the connection from <c>AzureWebJobsStorage</c> (or
    /// <c>AzureWebJobsStorage__queueServiceUri</c>), the queue settings from <c>AzureFunctionsJobHost:extensions:queues</c>,
    /// <c>functionTimeout</c>, and <c>shutdownTimeout</c> as the Generic Host's shutdown grace. Settings are checked
    /// when the host starts; a bad or missing one stops it with a message naming the key.
    /// </summary>
    public static IServiceCollection AddStorageQueues(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(new StorageQueueConnection(configuration));
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<QueueTriggerTelemetry>();
        services.AddFunctionsShutdownGrace(configuration);
        return services;
    }

    /// <summary>
    /// Binds <typeparamref name="TFunction"/> to <paramref name="queueName"/>; it is resolved from a new DI scope for each
    /// message. Requires <see cref="AddStorageQueues"/>. The queue and its <c>-poison</c> queue are created at start.
    /// </summary>
    public static IServiceCollection AddQueueTrigger<TFunction>(this IServiceCollection services, string functionName, string queueName)
        where TFunction : class, IQueueTriggeredFunction
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(functionName);
        ArgumentException.ThrowIfNullOrWhiteSpace(queueName);
        services.TryAddScoped<TFunction>();
        services.AddSingleton(new QueueTriggerRegistration(functionName, queueName, typeof(TFunction)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, QueueTriggerHostedService>());
        return services;
    }
}
