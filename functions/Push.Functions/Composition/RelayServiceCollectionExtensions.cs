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
        services.AddHostedService<ProviderEndpointCheck>();

        // The pipeline.
        services.AddOptions<RoutingOptions>().Bind(configuration.GetSection(RoutingOptions.SectionName))
            .Validate(o => o.Validate().Count == 0, "Routing:ConversationHashKey must be base64 of at least 32 random bytes.")
            .ValidateOnStart();
        services.AddOptions<DeliveryOptions>().Bind(configuration.GetSection(DeliveryOptions.SectionName))
            .ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<IPayloadCipher>(sp => new AesGcmPayloadCipher(sp.GetRequiredService<IDeviceKeyProtector>()));
        services.AddSingleton(sp => new PushComposer(sp.GetRequiredService<IPayloadCipher>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<RoutingOptions>>().Value));
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<DeliveryOptions>>().Value);
        services.AddSingleton<RelayMetrics>();
        services.AddSingleton<CallPriority>();
        services.AddSingleton<DeviceEventHandler>();
        services.AddSingleton<EventDelivery>();

        // The queues: their names (the same app settings the trigger attributes name) and the Storage transport.
        services.AddOptions<QueueNames>().Bind(configuration.GetSection(QueueNames.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<QueueNames>, QueueNamesValidator>());
        services.AddSingleton(_ => StorageQueueHostSettings.Read(configuration));
        services.AddSingleton<StorageEventQueues>();
        services.AddSingleton<StorageQueueSettlement>();
        services.AddSingleton<StorageQueueEventHandler>();

        // Dead-letter triage over the Storage poison queues.
        services.AddOptions<DeadLetterOptions>().Bind(configuration.GetSection(DeadLetterOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DeadLetterOptions>, DeadLetterOptionsValidator>());
        services.AddSingleton<DeadLetterArchive>();
        services.AddSingleton<DeadLetterMetrics>();
        services.AddSingleton<IDeadLetterQueue, StoragePoisonQueue>();
        services.AddSingleton<DeadLetterTriage>();
        return services;
    }
}
