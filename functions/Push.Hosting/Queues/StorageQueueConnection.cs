using Azure.Identity;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace Push.Hosting.Queues;

/// <summary>
/// The Functions storage connection setting: <c>AzureWebJobsStorage</c> as a connection string
/// ("UseDevelopmentStorage=true" included), or identity-based <c>AzureWebJobsStorage__queueServiceUri</c>.
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

    public QueueServiceClient CreateServiceClient()
    {
        var section = Configuration.GetSection(SettingName);
        if (!string.IsNullOrWhiteSpace(section.Value))
        {
            try
            {
                return new QueueServiceClient(section.Value, ClientOptions());
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
            {
                // Not chained: the SDK's message may quote the connection string, account key included.
                throw new InvalidOperationException($"The setting '{SettingName}' is not a valid Storage connection string ({ex.GetType().Name})");
            }
        }
        var serviceUri = section["queueServiceUri"];
        if (!string.IsNullOrWhiteSpace(serviceUri))
        {
            if (!Uri.TryCreate(serviceUri, UriKind.Absolute, out var uri))
            {
                throw new InvalidOperationException($"The setting '{SettingName}__queueServiceUri' must be an absolute URI");
            }
            var credential = section["clientId"] is { Length: > 0 } clientId
                ? new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = clientId })
                : new DefaultAzureCredential();
            return new QueueServiceClient(uri, credential, ClientOptions());
        }
        throw new InvalidOperationException(
            $"The Storage connection setting '{SettingName}' is missing: set it to a connection string, or set '{SettingName}__queueServiceUri' for an identity-based connection");
    }
}
