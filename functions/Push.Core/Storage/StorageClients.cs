using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace Push.Core.Storage;

/// <summary>
/// The relay's Storage clients, all from the one Functions setting the triggers use (<c>AzureWebJobsStorage</c>, a
/// connection string or identity-based: <see cref="StorageAccountSetting"/>), so one setting points the worker, the CLI
/// and the tests at one account.
/// </summary>
public static class StorageClients
{
    /// <summary>
    /// Queue clients send and receive text exactly as the queue holds it: the relay encodes and decodes bodies itself
    /// (<see cref="StorageQueues.QueueMessageCodec"/>). The service version is one Azurite 3.37 knows.
    /// </summary>
    public static QueueClientOptions QueueOptions() => new(QueueClientOptions.ServiceVersion.V2026_06_06)
    {
        MessageEncoding = QueueMessageEncoding.None,
    };

    /// <param name="options">Client options (retries, timeouts); the queue's must keep <see cref="QueueOptions"/>' encoding.</param>
    public static QueueServiceClient CreateQueueClient(IConfiguration configuration, QueueClientOptions? options = null)
    {
        options ??= QueueOptions();
        return StorageAccountSetting.CreateClient(configuration, StorageService.Queue,
            c => new QueueServiceClient(c, options), (uri, credential) => new QueueServiceClient(uri, credential, options));
    }

    public static TableServiceClient CreateTableClient(IConfiguration configuration, TableClientOptions? options = null)
    {
        options ??= new TableClientOptions();
        return StorageAccountSetting.CreateClient(configuration, StorageService.Table,
            c => new TableServiceClient(c, options), (uri, credential) => new TableServiceClient(uri, credential, options));
    }

    public static BlobServiceClient CreateBlobClient(IConfiguration configuration, BlobClientOptions? options = null)
    {
        options ??= new BlobClientOptions();
        return StorageAccountSetting.CreateClient(configuration, StorageService.Blob,
            c => new BlobServiceClient(c, options), (uri, credential) => new BlobServiceClient(uri, credential, options));
    }
}
