using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;

namespace Push.Functions.Composition;

/// <summary>
/// The Table storage client for the registry and the ledger, from the same Functions setting the queue
/// trigger uses (<c>AzureWebJobsStorage</c>), so one setting points the whole relay at one account.
/// </summary>
public static class TableStorage
{
    public const string SettingName = "AzureWebJobsStorage";

    public static TableServiceClient CreateClient(IConfiguration configuration)
    {
        var connectionString = configuration[SettingName];
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"{SettingName} is not set: give it a Storage connection string (UseDevelopmentStorage=true for Azurite).");
        }
        try
        {
            return new TableServiceClient(connectionString);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            // The SDK's message can quote the connection string, account key included: don't pass it on.
            throw new InvalidOperationException($"{SettingName} is not a valid Storage connection string ({ex.GetType().Name}).");
        }
    }
}
