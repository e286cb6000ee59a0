using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Push.Hosting.Configuration;
using Push.Hosting.Queues;

namespace Push.Hosting.ServiceBus;

/// <summary>Binds functions to Service Bus queues over AMQP 1.0, as the Functions Service Bus trigger does.</summary>
public static class ServiceBusServiceCollectionExtensions
{
    /// <summary>The setting that chooses the queue transport: <c>StorageQueues</c> (default) or <c>ServiceBus</c>.</summary>
    public const string TransportSettingName = "Queues:Transport";

    /// <summary>
    /// Adds the Service Bus runtime: the connection from <c>ServiceBusConnection</c> (or <c>AzureWebJobsServiceBus</c>),
    /// the trigger settings from <c>AzureFunctionsJobHost:extensions:serviceBus</c>, <c>functionTimeout</c>, and
    /// <c>shutdownTimeout</c> as the Generic Host's shutdown grace. Everything is checked when the host starts.
    /// </summary>
    public static IServiceCollection AddServiceBusQueues(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(new ServiceBusSettings(configuration));
        services.TryAddSingleton(TimeProvider.System);
        services.AddFunctionsShutdownGrace(configuration);
        return services;
    }

    /// <summary>
    /// Binds <typeparamref name="TFunction"/> to the Service Bus queue <paramref name="queueName"/> with the same
    /// contract as <c>AddQueueTrigger</c>. Requires <see cref="AddServiceBusQueues"/>. The queue (and, on RabbitMQ, its
    /// dead-letter routing) must exist: Service Bus entities are infrastructure, not created by the host.
    /// </summary>
    public static IServiceCollection AddServiceBusTrigger<TFunction>(this IServiceCollection services, string functionName, string queueName)
        where TFunction : class, IQueueTriggeredFunction
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(functionName);
        ArgumentException.ThrowIfNullOrWhiteSpace(queueName);
        services.TryAddScoped<TFunction>();
        services.AddSingleton(new ServiceBusTriggerRegistration(functionName, queueName, typeof(TFunction)));
        services.TryAddSingleton<ServiceBusTriggerHostedService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ServiceBusTriggerHostedService>(
            provider => provider.GetRequiredService<ServiceBusTriggerHostedService>()));
        return services;
    }

    /// <summary>True when the <c>Transport</c> setting says <c>ServiceBus</c>; false for <c>StorageQueues</c> or unset.</summary>
    public static bool UsesServiceBus(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var value = configuration[TransportSettingName];
        if (string.IsNullOrWhiteSpace(value) || string.Equals(value, "StorageQueues", StringComparison.OrdinalIgnoreCase)) return false;
        if (string.Equals(value, "ServiceBus", StringComparison.OrdinalIgnoreCase)) return true;
        throw new InvalidOperationException($"The setting '{TransportSettingName}' must be 'StorageQueues' or 'ServiceBus' (was '{value}')");
    }
}
