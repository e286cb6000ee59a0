using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Push.Hosting.Storage;

namespace Push.Functions.Composition;

/// <summary>The Blob client for shared provider tokens, from the same <c>AzureWebJobsStorage</c> setting.</summary>
public static class BlobStorage
{
    public static BlobServiceClient CreateClient(IConfiguration configuration)
    {
        var endpoint = StorageAccountSetting.Resolve(configuration, StorageService.Blob);
        if (endpoint.ConnectionString is null)
        {
            return new BlobServiceClient(endpoint.ServiceUri, endpoint.Credential);
        }
        try
        {
            return new BlobServiceClient(endpoint.ConnectionString);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            // The SDK's message can quote the connection string, account key included: don't pass it on.
            throw new InvalidOperationException(
                $"{StorageAccountSetting.SettingName} is not a valid Storage connection string ({ex.GetType().Name}).");
        }
    }
}
