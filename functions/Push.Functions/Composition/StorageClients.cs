using Azure.Core;
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
        Create(configuration, StorageService.Table, c => new TableServiceClient(c), (uri, credential) => new TableServiceClient(uri, credential));

    public static BlobServiceClient CreateBlobClient(IConfiguration configuration) =>
        Create(configuration, StorageService.Blob, c => new BlobServiceClient(c), (uri, credential) => new BlobServiceClient(uri, credential));

    private static T Create<T>(IConfiguration configuration, StorageService service, Func<string, T> fromConnectionString,
        Func<Uri, TokenCredential, T> fromIdentity)
    {
        var endpoint = StorageAccountSetting.Resolve(configuration, service);
        if (endpoint.ConnectionString is null)
        {
            return fromIdentity(endpoint.ServiceUri!, endpoint.Credential!);
        }
        try
        {
            return fromConnectionString(endpoint.ConnectionString);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            // The SDK's message can quote the connection string, account key included: don't pass it on.
            throw new InvalidOperationException(
                $"{StorageAccountSetting.SettingName} is not a valid Storage connection string ({ex.GetType().Name}).");
        }
    }
}
