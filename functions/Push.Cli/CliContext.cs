using Azure.Data.Tables;
using Azure.Messaging.ServiceBus;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Push.Core.Credentials;
using Push.Core.DeadLetters;
using Push.Core.Ledger;
using Push.Core.Queues;
using Push.Core.Registry;
using Push.Core.ServiceBus;
using Push.Core.Storage;
using Push.Core.StorageQueues;
using Push.Providers;

namespace Push.Cli;

/// <summary>
/// What every command needs, read from the same settings the relay reads (environment variables with
/// "__", or appsettings.json beside the CLI): the Storage account, the queues and their transport, the registry's
/// key-encryption key. Services are built lazily so that <c>--help</c> needs no configuration; they are the relay's own
/// adapters, so the CLI reads and writes exactly what the relay does.
/// </summary>
public sealed class CliContext : IDisposable
{
    public const string StorageSetting = StorageAccountSetting.SettingName;

    private readonly Lazy<ServiceProvider> _services;

    public CliContext(IConfiguration configuration)
    {
        Configuration = configuration;
        _services = new Lazy<ServiceProvider>(BuildServices);
    }

    public IConfiguration Configuration { get; }

    public static CliContext FromEnvironment() => new(new ConfigurationBuilder()
        .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
        .AddEnvironmentVariables()
        .Build());

    public IDeviceRegistry Registry => _services.Value.GetRequiredService<IDeviceRegistry>();

    public IDeliveryLedger Ledger => _services.Value.GetRequiredService<IDeliveryLedger>();

    public ProviderTokenStore ProviderTokens => _services.Value.GetRequiredService<ProviderTokenStore>();

    /// <summary>The relay's queue names and transport (section <c>Queues</c>, validated as the relay does).</summary>
    public QueueNames Queues => Valid(() => _services.Value.GetRequiredService<IOptions<QueueNames>>().Value);

    /// <summary>The Storage queues as the relay writes them (host.json's <c>messageEncoding</c>, unless overridden).</summary>
    public StorageEventQueues StorageQueues => _services.Value.GetRequiredService<StorageEventQueues>();

    /// <summary>The dead-letter archive (<c>DeadLetters:ArchiveTable</c>).</summary>
    public DeadLetterArchive DeadLetterArchive => _services.Value.GetRequiredService<DeadLetterArchive>();

    /// <summary>The dead-letter options, validated as the relay does.</summary>
    public DeadLetterOptions DeadLetterOptions => Valid(() => _services.Value.GetRequiredService<IOptions<DeadLetterOptions>>().Value);

    /// <summary>The Storage-queue settings the relay agrees with the host on.</summary>
    public StorageQueueHostSettings StorageQueueSettings => Valid(() => _services.Value.GetRequiredService<IOptions<StorageQueueHostSettings>>().Value);

    /// <summary>A Service Bus client from the relay's connection setting (only with <c>Queues:Transport=ServiceBus</c>).</summary>
    public ServiceBusClient CreateServiceBusClient() => Valid(() => ServiceBusConnectionSetting.CreateClient(Configuration,
        Valid(() => _services.Value.GetRequiredService<IOptions<ServiceBusHostSettings>>().Value).ClientOptions()));

    /// <summary>The Storage account's tables (registry, ledger, dead-letter archive), with the CLI's client options.</summary>
    public TableServiceClient TableService => _services.Value.GetRequiredService<TableServiceClient>();

    /// <summary>The Storage account's queues, with the CLI's client options.</summary>
    public QueueServiceClient QueueService => _services.Value.GetRequiredService<QueueServiceClient>();

    private ServiceProvider BuildServices()
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(_ => Storage(() => StorageAccountSetting.CreateClient(Configuration, StorageService.Table,
            c => new TableServiceClient(c, TableOptions()), (uri, credential) => new TableServiceClient(uri, credential, TableOptions()))));
        services.AddSingleton(_ => Storage(() => StorageAccountSetting.CreateClient(Configuration, StorageService.Blob,
            c => new BlobServiceClient(c, BlobOptions()), (uri, credential) => new BlobServiceClient(uri, credential, BlobOptions()))));
        services.AddSingleton(_ => Storage(() => StorageAccountSetting.CreateClient(Configuration, StorageService.Queue,
            c => new QueueServiceClient(c, QueueOptions()), (uri, credential) => new QueueServiceClient(uri, credential, QueueOptions()))));
        services.AddSharedProviderTokens(Configuration);
        services.AddDeviceRegistry(Configuration);
        services.AddDeliveryLedger(Configuration);
        services.AddValidatedOptions<QueueNames, QueueNamesValidator>(Configuration.GetSection(QueueNames.SectionName));
        services.AddValidatedOptions<StorageQueueHostSettings, StorageQueueHostSettingsValidator>(Configuration.GetSection(StorageQueueHostSettings.SectionName));
        services.AddValidatedOptions<ServiceBusHostSettings, ServiceBusHostSettingsValidator>(Configuration.GetSection(ServiceBusHostSettings.SectionName));
        services.AddValidatedOptions<DeadLetterOptions, DeadLetterOptionsValidator>(Configuration.GetSection(DeadLetterOptions.SectionName));
        services.AddSingleton<DeadLetterArchive>();
        services.AddSingleton(sp => new StorageEventQueues(sp.GetRequiredService<QueueServiceClient>(),
            sp.GetRequiredService<IOptions<StorageQueueHostSettings>>().Value, sp.GetRequiredService<DeadLetterArchive>()));
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    private static QueueClientOptions QueueOptions() => StorageReachability.Apply(StorageClients.QueueOptions());

    private static TableClientOptions TableOptions() => StorageReachability.Apply(new TableClientOptions());

    private static BlobClientOptions BlobOptions() => StorageReachability.Apply(new BlobClientOptions());

    // A setting the relay would refuse is the user's to fix: said plainly, without a stack trace.
    private static T Valid<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (OptionsValidationException ex)
        {
            throw new CliException(string.Join("; ", ex.Failures));
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains("setting", StringComparison.OrdinalIgnoreCase) || ex.Message.Contains("configuration", StringComparison.OrdinalIgnoreCase))
        {
            throw new CliException(ex.Message);
        }
    }

    // A missing or malformed Storage setting is the user's to fix: said plainly, without a stack trace.
    private static T Storage<T>(Func<T> create)
    {
        try
        {
            return create();
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains(StorageSetting, StringComparison.Ordinal))
        {
            throw new CliException(ex.Message + " (scripts/push sets it for local development)");
        }
    }

    public void Dispose()
    {
        if (_services.IsValueCreated) _services.Value.Dispose();
    }
}
