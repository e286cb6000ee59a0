using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace LocalFunctionsHost;

/// <summary>Storage clients from a connection string ("UseDevelopmentStorage=true" included), with settings Azurite accepts.</summary>
internal static class StorageClients
{
    public static QueueServiceClient Queues(string connectionString, string settingName)
    {
        var options = new QueueClientOptions(QueueClientOptions.ServiceVersion.V2026_06_06)
        {
            // Decoding is the listener's own (see MessageCodec), so an undecodable text reaches the poison queue intact.
            MessageEncoding = Azure.Storage.Queues.QueueMessageEncoding.None,
        };
        Configure(options.Retry);
        return Create(() => new QueueServiceClient(connectionString, options), settingName);
    }

    public static BlobServiceClient Blobs(string connectionString, string settingName)
    {
        var options = new BlobClientOptions(BlobClientOptions.ServiceVersion.V2026_06_06);
        Configure(options.Retry);
        return Create(() => new BlobServiceClient(connectionString, options), settingName);
    }

    /// <summary>Short tries: a timer lease renewal that hangs for the SDK's default 100 s would outlive the lease.</summary>
    private static void Configure(RetryOptions retry)
    {
        retry.Mode = RetryMode.Exponential;
        retry.MaxRetries = 2;
        retry.Delay = TimeSpan.FromMilliseconds(200);
        retry.NetworkTimeout = TimeSpan.FromSeconds(10);
    }

    private static T Create<T>(Func<T> create, string settingName)
    {
        try
        {
            return create();
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            // Not chained: the SDK's message may quote the connection string, account key included.
            throw new HostStartException([$"the app setting '{settingName}' is not a valid Storage connection string ({ex.GetType().Name})"]);
        }
    }
}
