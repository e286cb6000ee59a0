using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;

namespace Push.Hosting.Timers;

/// <summary>
/// The Functions storage connection for blobs: <c>AzureWebJobsStorage</c> as a connection string
/// ("UseDevelopmentStorage=true" included), or identity-based <c>AzureWebJobsStorage__blobServiceUri</c>
/// (+ optional <c>AzureWebJobsStorage__clientId</c>) with <see cref="DefaultAzureCredential"/>.
/// </summary>
public sealed class StorageBlobConnection(IConfiguration configuration)
{
    public const string SettingName = "AzureWebJobsStorage";

    public IConfiguration Configuration { get; } = configuration;

    /// <summary>
    /// A service version Azurite 3.37 knows, and short tries: a lease renewal that hangs for the SDK's default 100 s
    /// would outlive the lease it is meant to keep.
    /// </summary>
    public static BlobClientOptions ClientOptions()
    {
        var options = new BlobClientOptions(BlobClientOptions.ServiceVersion.V2026_06_06);
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.MaxRetries = 2;
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(5);
        return options;
    }

    public BlobServiceClient CreateServiceClient()
    {
        var section = Configuration.GetSection(SettingName);
        if (!string.IsNullOrWhiteSpace(section.Value))
        {
            try
            {
                return new BlobServiceClient(section.Value, ClientOptions());
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
            {
                // Not chained: the SDK's message may quote the connection string, account key included.
                throw new InvalidOperationException($"The setting '{SettingName}' is not a valid Storage connection string ({ex.GetType().Name})");
            }
        }
        var serviceUri = section["blobServiceUri"];
        if (!string.IsNullOrWhiteSpace(serviceUri))
        {
            if (!Uri.TryCreate(serviceUri, UriKind.Absolute, out var uri))
            {
                throw new InvalidOperationException($"The setting '{SettingName}__blobServiceUri' must be an absolute URI");
            }
            var credential = section["clientId"] is { Length: > 0 } clientId
                ? new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = clientId })
                : new DefaultAzureCredential();
            return new BlobServiceClient(uri, credential, ClientOptions());
        }
        throw new InvalidOperationException(
            $"The Storage connection setting '{SettingName}' is missing: set it to a connection string, or set '{SettingName}__blobServiceUri' for an identity-based connection");
    }
}
