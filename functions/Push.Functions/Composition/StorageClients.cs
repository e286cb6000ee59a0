using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Push.Hosting.Storage;

namespace Push.Functions.Composition;

/// <summary>
/// The Table client (registry, ledger) and Blob client (shared provider tokens) from the same Functions setting
/// the triggers use (<c>AzureWebJobsStorage</c>, a connection string or identity-based), so one setting points the
/// whole relay at one account.
/// </summary>
public static class StorageClients
{
    public static TableServiceClient CreateTableClient(IConfiguration configuration) =>
        StorageAccountSetting.CreateClient(configuration, StorageService.Table,
            c => new TableServiceClient(c), (uri, credential) => new TableServiceClient(uri, credential));

    public static BlobServiceClient CreateBlobClient(IConfiguration configuration) =>
        StorageAccountSetting.CreateClient(configuration, StorageService.Blob,
            c => new BlobServiceClient(c), (uri, credential) => new BlobServiceClient(uri, credential));
}
