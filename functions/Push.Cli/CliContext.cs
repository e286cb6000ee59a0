using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Push.Core.Credentials;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Push.Core.Ledger;
using Push.Core.Registry;
using Push.Hosting.Queues;
using Push.Hosting.Storage;
using QueueMessageEncoding = Push.Hosting.Queues.QueueMessageEncoding;

namespace Push.Cli;

/// <summary>
/// What every command needs, read from the same settings the relay reads (environment variables with
/// "__", or appsettings.json beside the CLI): the Storage account, the queue names, the registry's
/// key-encryption key. Services are built lazily so that <c>--help</c> needs no configuration.
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

    public string QueueName(string key, string fallback) => Configuration[$"Queues:{key}"] is { Length: > 0 } name ? name : fallback;

    /// <summary>The Storage account's tables (registry, ledger, dead-letter archive), with the CLI's client options.</summary>
    public TableServiceClient TableService => _services.Value.GetRequiredService<TableServiceClient>();

    /// <summary>The Storage account's queues, with the CLI's client options.</summary>
    public QueueServiceClient QueueService() => Storage(() => StorageAccountSetting.CreateClient(Configuration, StorageService.Queue,
        c => new QueueServiceClient(c, QueueOptions()), (uri, credential) => new QueueServiceClient(uri, credential, QueueOptions())));

    /// <summary>The relay's queue, created if missing (the relay creates it too when it starts).</summary>
    public async Task<QueueClient> QueueAsync(string name, CancellationToken cancellationToken)
    {
        var queue = QueueService().GetQueueClient(name);
        await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        return queue;
    }

    /// <summary>How queue bodies are encoded: host.json's <c>messageEncoding</c>, base64 unless overridden.</summary>
    public QueueMessageEncoding MessageEncoding =>
        string.Equals(Configuration["AzureFunctionsJobHost:extensions:queues:messageEncoding"], "none", StringComparison.OrdinalIgnoreCase)
            ? QueueMessageEncoding.None
            : QueueMessageEncoding.Base64;

    private ServiceProvider BuildServices()
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(_ => Storage(() => StorageAccountSetting.CreateClient(Configuration, StorageService.Table,
            c => new TableServiceClient(c, TableOptions()), (uri, credential) => new TableServiceClient(uri, credential, TableOptions()))));
        services.AddSingleton(_ => Storage(() => StorageAccountSetting.CreateClient(Configuration, StorageService.Blob,
            c => new BlobServiceClient(c, BlobOptions()), (uri, credential) => new BlobServiceClient(uri, credential, BlobOptions()))));
        services.AddSharedProviderTokens(Configuration);
        services.AddDeviceRegistry(Configuration);
        services.AddDeliveryLedger(Configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    private static QueueClientOptions QueueOptions() => StorageReachability.Apply(StorageQueueConnection.ClientOptions());

    private static TableClientOptions TableOptions() => StorageReachability.Apply(new TableClientOptions());

    private static BlobClientOptions BlobOptions() => StorageReachability.Apply(new BlobClientOptions());

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
