using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Push.Core.Delivery;
using Push.Core.Ledger;
using Push.Core.Protection;
using Push.Core.Registry;
using Push.Core.Routing;
using Push.Functions.DeliverCall;
using Push.Functions.DeliverMessage;
using Push.Functions.ManageDevices;
using Push.Functions.ProcessDeadLetters;
using Push.Functions.RefreshProviderTokens;
using Push.Core.Credentials;
using Push.Hosting.ServiceBus;
using Push.Hosting.Timers;
using Push.Functions.Settlement;
using Push.Hosting.Queues;
using Push.Providers;
using Push.Providers.Apns;
using Push.Providers.Fcm;

namespace Push.Functions.Composition;

/// <summary>Wires the relay: storage, providers, the delivery pipeline and the three queue-triggered functions.</summary>
public static class RelayServiceCollectionExtensions
{
    /// <summary>Every function this host can run (the names <c>Functions:Enabled</c> accepts).</summary>
    public static IReadOnlyCollection<string> AllFunctions { get; } =
        [DeliverCallFunction.Name, DeliverMessageFunction.Name, ManageDevicesFunction.Name,
         RefreshProviderTokensFunction.Name, ProcessDeadLettersFunction.Name];

    public static IServiceCollection AddPushRelay(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();

        // Storage: registry and ledger on Tables; queues through the trigger runtime.
        services.AddSingleton(_ => StorageClients.CreateTableClient(configuration));
        services.AddSingleton(_ => StorageClients.CreateBlobClient(configuration));
        services.AddDeviceRegistry(configuration);
        services.AddDeliveryLedger(configuration);
        var useServiceBus = ServiceBusServiceCollectionExtensions.UsesServiceBus(configuration);
        if (useServiceBus)
        {
            services.AddServiceBusQueues(configuration);
            services.AddTimerTriggers(configuration); // timers keep their leases and status in the Storage account
        }
        else
        {
            services.AddStorageQueues(configuration);
        }

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
        services.AddSingleton<ProviderHolds>();
        services.AddSingleton<DeviceEventHandler>();
        services.AddSingleton<EventDelivery>();
        services.AddSingleton<QueueDelivery>();

        // The functions, each on its own queue; Functions:Enabled may pick some of them.
        var queues = ReadQueueNames(configuration);
        services.AddSingleton(queues);
        var enabled = EnabledFunctions.Read(configuration, AllFunctions);
        if (enabled.IsEnabled(DeliverCallFunction.Name))
        {
            services.AddEventQueueTrigger<DeliverCallFunction>(DeliverCallFunction.Name, queues.Calls, useServiceBus);
        }
        if (enabled.IsEnabled(DeliverMessageFunction.Name))
        {
            services.AddEventQueueTrigger<DeliverMessageFunction>(DeliverMessageFunction.Name, queues.Messages, useServiceBus);
        }
        if (enabled.IsEnabled(ManageDevicesFunction.Name))
        {
            services.AddEventQueueTrigger<ManageDevicesFunction>(ManageDevicesFunction.Name, queues.Devices, useServiceBus);
        }

        // Timers: one instance at a time runs each (blob lease).
        if (enabled.IsEnabled(RefreshProviderTokensFunction.Name))
        {
            services.AddRefreshProviderTokens(configuration);
        }
        // Triage reads <queue>-poison on Storage queues and <queue>/$DeadLetterQueue on Service Bus.
        services.AddDeadLetterTriage(configuration);
        if (enabled.IsEnabled(ProcessDeadLettersFunction.Name))
        {
            services.AddTimerTrigger<ProcessDeadLettersFunction>(ProcessDeadLettersFunction.Name,
                DeadLetterTriageServiceCollectionExtensions.Schedule(configuration));
        }
        return services;
    }

    // The function classes are the same on either transport; only the trigger binding differs.
    private static void AddEventQueueTrigger<TFunction>(this IServiceCollection services, string name, string queue, bool useServiceBus)
        where TFunction : class, IQueueTriggeredFunction
    {
        if (useServiceBus)
        {
            services.AddServiceBusTrigger<TFunction>(name, queue);
        }
        else
        {
            services.AddQueueTrigger<TFunction>(name, queue);
        }
    }

    // Queue names decide which listeners exist, so they are read (and checked) while the host is built.
    private static QueueNames ReadQueueNames(IConfiguration configuration)
    {
        var names = configuration.GetSection(QueueNames.SectionName).Get<QueueNames>() ?? new QueueNames();
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        if (!System.ComponentModel.DataAnnotations.Validator.TryValidateObject(names, new(names), results, validateAllProperties: true))
        {
            throw new OptionsValidationException(QueueNames.SectionName, typeof(QueueNames), results.Select(r => r.ErrorMessage ?? "invalid"));
        }
        return names;
    }
}
