using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Push.Hosting.Storage;

namespace Push.Hosting.Queues;

/// <summary>
/// The Functions storage connection setting: <c>AzureWebJobsStorage</c> as a connection string
/// ("UseDevelopmentStorage=true" included), or identity-based (see <see cref="StorageAccountSetting"/>).
/// </summary>
public sealed class StorageQueueConnection(IConfiguration configuration)
{
    public const string SettingName = "AzureWebJobsStorage";

    public IConfiguration Configuration { get; } = configuration;

    /// <summary>The client options every queue client of the relay uses (the CLI too): our own decoding and a service version Azurite knows.</summary>
    public static QueueClientOptions ClientOptions() => new(QueueClientOptions.ServiceVersion.V2026_06_06)
    {
        // Decoding is ours (see MessageCodec), so an undecodable message can be poisoned with its text intact.
        MessageEncoding = Azure.Storage.Queues.QueueMessageEncoding.None,
    };

    public QueueServiceClient CreateServiceClient() =>
        StorageAccountSetting.CreateClient(Configuration, StorageService.Queue,
            c => new QueueServiceClient(c, ClientOptions()), (uri, credential) => new QueueServiceClient(uri, credential, ClientOptions()));
}
