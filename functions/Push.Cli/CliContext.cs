using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Push.Core.Composition;
using Push.Core.Credentials;
using Push.Core.DeadLetters;
using Push.Core.Ledger;
using Push.Core.Queues;
using Push.Core.Registry;
using Push.Core.ServiceBus;
using Push.Core.Storage;
using Push.Core.StorageQueues;

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

    public IDeviceRegistry Registry => Get<IDeviceRegistry>();

    public IDeliveryLedger Ledger => Get<IDeliveryLedger>();

    public ProviderTokenStore ProviderTokens => Get<ProviderTokenStore>();

    /// <summary>The relay's queue names and transport (section <c>Queues</c>, validated as the relay does).</summary>
    public QueueNames Queues => Valid(() => Get<IOptions<QueueNames>>().Value);

    /// <summary>The Storage queues as the relay writes them (host.json's <c>messageEncoding</c>, unless overridden).</summary>
    public StorageEventQueues StorageQueues => Get<StorageEventQueues>();

    /// <summary>The Service Bus senders, on a client from the relay's connection setting (only with <c>Queues:Transport=ServiceBus</c>).</summary>
    public ServiceBusSenders ServiceBusSenders => Get<ServiceBusSenders>();

    /// <summary>The dead letters of the transport the relay uses: Storage poison queues or Service Bus dead-letter subqueues.</summary>
    public IDeadLetterQueue DeadLetterQueue => Get<IDeadLetterQueue>();

    /// <summary>The dead-letter archive (<c>DeadLetters:ArchiveTable</c>).</summary>
    public DeadLetterArchive DeadLetterArchive => Get<DeadLetterArchive>();

    /// <summary>The triage the relay's timer runs, over <see cref="DeadLetterQueue"/>.</summary>
    public DeadLetterTriage DeadLetterTriage => Get<DeadLetterTriage>();

    private ServiceProvider BuildServices()
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        // The CLI's own Storage clients (a short retry budget, a connection failure said plainly); the relay's
        // composition keeps a client it finds registered.
        services.AddSingleton(_ => Storage(() => StorageClients.CreateTableClient(Configuration, StorageReachability.Apply(new TableClientOptions()))));
        services.AddSingleton(_ => Storage(() => StorageClients.CreateBlobClient(Configuration, StorageReachability.Apply(new BlobClientOptions()))));
        services.AddSingleton(_ => Storage(() => StorageClients.CreateQueueClient(Configuration, StorageReachability.Apply(StorageClients.QueueOptions()))));
        services.AddRelayDomain(Configuration);
        services.AddRelayQueues(Configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    private T Get<T>() where T : notnull => Valid(() => _services.Value.GetRequiredService<T>());

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
        // Asynchronously: the Service Bus client, senders and dead-letter reader (which gives back every entry a command
        // did not settle) are IAsyncDisposable only. A console app: no context to block.
        if (_services.IsValueCreated) _services.Value.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
