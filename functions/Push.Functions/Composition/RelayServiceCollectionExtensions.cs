using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Push.Core.Credentials;
using Push.Core.DeadLetters;
using Push.Core.Delivery;
using Push.Core.Ledger;
using Push.Core.Protection;
using Push.Core.Queues;
using Push.Core.Registry;
using Push.Core.Routing;
using Push.Core.ServiceBus;
using Push.Core.Storage;
using Push.Core.StorageQueues;
using Push.Functions.QueuedEvents;
using Push.Providers;
using Push.Providers.Apns;

namespace Push.Functions.Composition;

/// <summary>
/// Wires the relay into the worker: storage, providers and their shared tokens, the delivery pipeline, dead-letter
/// triage, and the queue transport the functions settle on. The function classes themselves are found by the worker
/// (the Sdk's generated metadata) and get these services through their constructors.
/// </summary>
public static class RelayServiceCollectionExtensions
{
    public static IServiceCollection AddPushRelay(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();

        // Storage: every client from the one Functions setting, AzureWebJobsStorage.
        services.AddSingleton(_ => StorageClients.CreateTableClient(configuration));
        services.AddSingleton(_ => StorageClients.CreateBlobClient(configuration));
        services.AddSingleton(_ => StorageClients.CreateQueueClient(configuration));
        services.AddDeviceRegistry(configuration);
        services.AddDeliveryLedger(configuration);

        // Providers. The shared token sources come first: they replace the per-process defaults, so every
        // instance uses the one APNs JWT and FCM access token kept in blob storage.
        services.AddSharedProviderTokens(configuration);
        services.AddPushProviders(configuration);
        services.AddSingleton(sp => ApnsEnvironments.Create(
            sp.GetRequiredService<ApnsClient>(),
            sp.GetRequiredService<IOptions<ApnsOptions>>(),
            configuration.GetValue<Uri?>(ApnsEnvironments.DevelopmentEndpointSetting),
            sp.GetRequiredService<IApnsProviderTokenSource>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ApnsClient>>()));
        services.AddSingleton<IPushDispatcher, ProviderDispatcher>();
        services.AddHostedService<ProviderSecretsCheck>();
        services.AddHostedService<ProviderEndpointCheck>();

        // The pipeline.
        services.AddValidatedOptions<RoutingOptions, RoutingOptionsValidator>(configuration.GetSection(RoutingOptions.SectionName));
        services.AddValidatedOptions<DeliveryOptions, DeliveryOptionsValidator>(configuration.GetSection(DeliveryOptions.SectionName));
        services.TryAddSingleton<IPayloadCipher>(sp => new AesGcmPayloadCipher(sp.GetRequiredService<IDeviceKeyProtector>()));
        services.AddSingleton(sp => new PushComposer(sp.GetRequiredService<IPayloadCipher>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<RoutingOptions>>().Value));
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<DeliveryOptions>>().Value);
        services.AddSingleton<RelayMetrics>();
        services.AddSingleton<CallPriority>();
        services.AddSingleton<ProviderHolds>();
        services.AddSingleton<DeviceEventHandler>();
        services.AddSingleton<EventDelivery>();

        // The queues: their names (the same app settings the trigger attributes name) and the Storage transport, which
        // the three queue-triggered functions always settle on.
        services.AddValidatedOptions<QueueNames, QueueNamesValidator>(configuration.GetSection(QueueNames.SectionName));
        services.AddValidatedOptions<StorageQueueHostSettings, StorageQueueHostSettingsValidator>(configuration.GetSection(StorageQueueHostSettings.SectionName));
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<StorageQueueHostSettings>>().Value);
        services.AddSingleton<StorageEventQueues>();
        services.AddSingleton<StorageQueueSettlement>();
        services.AddSingleton<StorageQueueEventHandler>();

        // Dead-letter triage, over the poison queues of the transport the events arrive on.
        services.AddValidatedOptions<DeadLetterOptions, DeadLetterOptionsValidator>(configuration.GetSection(DeadLetterOptions.SectionName));
        services.AddSingleton<DeadLetterArchive>();
        services.AddSingleton<DeadLetterMetrics>();
        services.AddSingleton<DeadLetterTriage>();
        if (Transport(configuration) == QueueTransport.ServiceBus)
        {
            services.AddServiceBusTransport(configuration);
        }
        else
        {
            services.AddSingleton<IDeadLetterQueue, StoragePoisonQueue>();
        }
        return services;
    }

    /// <summary>
    /// <c>Queues:Transport=ServiceBus</c>: the events arrive on Service Bus queues, handled by in-worker processors
    /// (<see cref="ServiceBusQueueProcessors"/>), and dead letters are read from the dead-letter subqueues.
    /// </summary>
    private static void AddServiceBusTransport(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<ServiceBusHostSettings, ServiceBusHostSettingsValidator>(configuration.GetSection(ServiceBusHostSettings.SectionName));
        services.TryAddSingleton(sp => ServiceBusConnectionSetting.CreateClient(configuration,
            sp.GetRequiredService<IOptions<ServiceBusHostSettings>>().Value.ClientOptions()));
        services.AddSingleton<ServiceBusSenders>();
        services.AddSingleton<ServiceBusSettlement>();
        services.AddSingleton<IDeadLetterQueue, ServiceBusDeadLetterQueue>();
        services.AddHostedService<ServiceBusQueueProcessors>();
    }

    // The transport decides which services exist, so it is read while the worker is composed.
    private static QueueTransport Transport(IConfiguration configuration) =>
        configuration.GetSection(QueueNames.SectionName).Get<QueueNames>()?.Transport ?? QueueTransport.StorageQueues;
}
