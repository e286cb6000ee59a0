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

    public static QueueServiceClient CreateQueueClient(IConfiguration configuration) =>
        StorageAccountSetting.CreateClient(configuration, StorageService.Queue,
            c => new QueueServiceClient(c, QueueOptions()), (uri, credential) => new QueueServiceClient(uri, credential, QueueOptions()));

    public static TableServiceClient CreateTableClient(IConfiguration configuration) =>
        StorageAccountSetting.CreateClient(configuration, StorageService.Table,
            c => new TableServiceClient(c), (uri, credential) => new TableServiceClient(uri, credential));

    public static BlobServiceClient CreateBlobClient(IConfiguration configuration) =>
        StorageAccountSetting.CreateClient(configuration, StorageService.Blob,
            c => new BlobServiceClient(c), (uri, credential) => new BlobServiceClient(uri, credential));
}
