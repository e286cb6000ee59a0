using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Push.Hosting.Storage;

namespace Push.Functions.Composition;

/// <summary>
/// The Table storage client for the registry and the ledger, from the same Functions setting the queue
/// trigger uses (<c>AzureWebJobsStorage</c>, a connection string or identity-based), so one setting
/// points the whole relay at one account.
/// </summary>
public static class TableStorage
{
    public static TableServiceClient CreateClient(IConfiguration configuration)
    {
        var endpoint = StorageAccountSetting.Resolve(configuration, StorageService.Table);
        if (endpoint.ConnectionString is null)
        {
            return new TableServiceClient(endpoint.ServiceUri, endpoint.Credential);
        }
        try
        {
            return new TableServiceClient(endpoint.ConnectionString);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            // The SDK's message can quote the connection string, account key included: don't pass it on.
            throw new InvalidOperationException(
                $"{StorageAccountSetting.SettingName} is not a valid Storage connection string ({ex.GetType().Name}).");
        }
    }
}
