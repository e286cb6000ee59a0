using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Push.Core.Composition;
using Push.Core.Credentials;
using Push.Core.Queues;
using Push.Functions.QueuedEvents;

namespace Push.Functions.Composition;

/// <summary>
/// Wires the relay into the worker: the shared composition (<see cref="RelayComposition"/>:
/// the domain and the queues' adapters) and what only the worker has: the handler the queue-triggered functions call,
/// the Service Bus processors, and the start-up checks. The function classes themselves are found by the worker (the
/// Sdk's generated metadata) and get these services through their constructors.
/// </summary>
public static class RelayServiceCollectionExtensions
{
    public static IServiceCollection AddPushRelay(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddRelayDomain(configuration);
        services.AddRelayQueues(configuration);

        // Before any queue is read, and before the worker connects to the Functions host (both check in StartingAsync,
        // ahead of every hosted service's StartAsync): the provider secrets load and the APNs endpoint speaks HTTP/2.
        services.AddHostedService<ProviderSecretsCheck>();
        services.AddHostedService<ProviderEndpointCheck>();

        services.AddSingleton<StorageQueueEventHandler>();
        if (RelayComposition.Transport(configuration) == QueueTransport.ServiceBus)
        {
            // Queues:Transport=ServiceBus: the events arrive on Service Bus queues, handled by in-worker processors.
            services.AddHostedService<ServiceBusQueueProcessors>();
        }
        return services;
    }
}
