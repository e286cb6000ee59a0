using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Push.Core.Credentials;
using Push.Core.DeadLetters;
using Push.Core.Delivery;
using Push.Core.Dispatch;
using Push.Core.Ledger;
using Push.Core.Protection;
using Push.Core.Queues;
using Push.Core.Registry;
using Push.Core.Routing;
using Push.Core.ServiceBus;
using Push.Core.Storage;
using Push.Core.StorageQueues;
using Push.Providers;
using Push.Providers.Apns;

namespace Push.Core.Composition;

/// <summary>
/// The relay's composition, shared by the worker (Push.Functions), the CLI and the bench. Two registrations, each
/// idempotent and independent of the order they and the caller's own registrations come in (every service is
/// TryAdd'ed: a caller that registers its own, before or after, keeps it):
/// <see cref="AddRelayDomain"/> (what an event goes through) and <see cref="AddRelayQueues"/> (the transport's adapters).
/// What binds them to a host (function triggers, Service Bus processors, start-up checks) is the caller's.
/// </summary>
public static class RelayComposition
{
    /// <summary>
    /// The domain: the Storage clients (from <c>AzureWebJobsStorage</c>, unless the caller registers its own), the device
    /// registry, the delivery ledger, the providers with their shared tokens, the dispatcher (APNs environment routing),
    /// the delivery pipeline (<see cref="EventDelivery"/>, <see cref="DeviceEventHandler"/>) and dead-letter triage. Triage
    /// reads the <see cref="IDeadLetterQueue"/> that <see cref="AddRelayQueues"/> registers.
    /// </summary>
    public static IServiceCollection AddRelayDomain(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();

        services.TryAddSingleton(_ => StorageClients.CreateTableClient(configuration));
        services.TryAddSingleton(_ => StorageClients.CreateBlobClient(configuration));
        services.TryAddSingleton(_ => StorageClients.CreateQueueClient(configuration));
        services.AddDeviceRegistry(configuration);
        services.AddDeliveryLedger(configuration);

        // The shared token sources and the providers' own both TryAdd their token sources; AddSharedProviderTokens
        // comes first here so the shared ones are THE sources. A caller that registers a source of its own keeps it.
        services.AddSharedProviderTokens(configuration);
        services.AddPushProviders(configuration);
        services.TryAddSingleton(sp => ApnsEnvironments.Create(
            sp.GetRequiredService<ApnsClient>(),
            sp.GetRequiredService<IOptions<ApnsOptions>>(),
            configuration.GetValue<Uri?>(ApnsEnvironments.DevelopmentEndpointSetting),
            sp.GetRequiredService<IApnsProviderTokenSource>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ApnsClient>>()));
        services.TryAddSingleton<IPushDispatcher, ProviderDispatcher>();

        services.AddValidatedOptions<RoutingOptions, RoutingOptionsValidator>(configuration.GetSection(RoutingOptions.SectionName));
        services.AddValidatedOptions<DeliveryOptions, DeliveryOptionsValidator>(configuration.GetSection(DeliveryOptions.SectionName));
        services.TryAddSingleton<IPayloadCipher>(sp => new AesGcmPayloadCipher(sp.GetRequiredService<IDeviceKeyProtector>()));
        services.TryAddSingleton(sp => new PushComposer(sp.GetRequiredService<IPayloadCipher>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<RoutingOptions>>().Value));
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<DeliveryOptions>>().Value);
        services.TryAddSingleton<RelayMetrics>();
        services.TryAddSingleton<CallPriority>();
        services.TryAddSingleton<ProviderHolds>();
        services.TryAddSingleton<DeviceEventHandler>();
        services.TryAddSingleton<EventDelivery>();

        services.AddValidatedOptions<DeadLetterOptions, DeadLetterOptionsValidator>(configuration.GetSection(DeadLetterOptions.SectionName));
        services.TryAddSingleton<DeadLetterArchive>();
        services.TryAddSingleton<DeadLetterMetrics>();
        services.TryAddSingleton<DeadLetterTriage>();
        return services;
    }

    /// <summary>
    /// The queues, over the domain's registrations (<see cref="AddRelayDomain"/>, in either order): their names (section <c>Queues</c>, the app settings the trigger attributes name), the Storage
    /// transport (always: the three queue-triggered functions settle on it) and, with <c>Queues:Transport=ServiceBus</c>,
    /// the Service Bus client, senders and settlement. The dead letters are read from the transport the events arrive on.
    /// </summary>
    public static IServiceCollection AddRelayQueues(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddValidatedOptions<QueueNames, QueueNamesValidator>(configuration.GetSection(QueueNames.SectionName));
        services.AddValidatedOptions<StorageQueueHostSettings, StorageQueueHostSettingsValidator>(configuration.GetSection(StorageQueueHostSettings.SectionName));
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<StorageQueueHostSettings>>().Value);
        services.TryAddSingleton<StorageEventQueues>();
        services.TryAddSingleton<StorageQueueSettlement>();
        if (Transport(configuration) == QueueTransport.ServiceBus)
        {
            services.AddValidatedOptions<ServiceBusHostSettings, ServiceBusHostSettingsValidator>(configuration.GetSection(ServiceBusHostSettings.SectionName));
            services.TryAddSingleton(sp => ServiceBusConnectionSetting.CreateClient(configuration,
                sp.GetRequiredService<IOptions<ServiceBusHostSettings>>().Value.ClientOptions()));
            services.TryAddSingleton<ServiceBusSenders>();
            services.TryAddSingleton<ServiceBusSettlement>();
            services.TryAddSingleton<IDeadLetterQueue, ServiceBusDeadLetterQueue>();
        }
        else
        {
            services.TryAddSingleton<IDeadLetterQueue, StoragePoisonQueue>();
        }
        return services;
    }

    /// <summary>The transport decides which services exist, so it is read while the services are composed.</summary>
    public static QueueTransport Transport(IConfiguration configuration) =>
        configuration.GetSection(QueueNames.SectionName).Get<QueueNames>()?.Transport ?? QueueTransport.StorageQueues;
}
