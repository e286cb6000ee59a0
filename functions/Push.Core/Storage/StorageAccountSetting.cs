using Azure.Core;
using Microsoft.Extensions.Configuration;

namespace Push.Core.Storage;

/// <summary>
/// The Functions storage connection setting, for any of the account's services: <c>AzureWebJobsStorage</c>
/// as a connection string ("UseDevelopmentStorage=true" included), or identity-based as Functions reads it:
/// <c>AzureWebJobsStorage__queueServiceUri</c> / <c>__tableServiceUri</c> / <c>__blobServiceUri</c>, or
/// <c>AzureWebJobsStorage__accountName</c> for all three, with <c>__credential=managedidentity</c> and
/// <c>__clientId</c> for a user-assigned identity (otherwise DefaultAzureCredential).
/// </summary>
public static class StorageAccountSetting
{
    public const string SettingName = "AzureWebJobsStorage";

    public static StorageAccountEndpoint Resolve(IConfiguration configuration, StorageService service)
    {
        var section = configuration.GetSection(SettingName);
        if (!string.IsNullOrWhiteSpace(section.Value))
        {
            return new StorageAccountEndpoint(section.Value, null, null);
        }

        var name = service.ToString().ToLowerInvariant();
        Uri? uri;
        if (section[name + "ServiceUri"] is { Length: > 0 } serviceUri)
        {
            if (!Uri.TryCreate(serviceUri, UriKind.Absolute, out uri))
            {
                throw new InvalidOperationException($"The setting '{SettingName}__{name}ServiceUri' must be an absolute URI");
            }
        }
        else if (section["accountName"] is { Length: > 0 } account)
        {
            uri = new Uri($"https://{account}.{name}.core.windows.net");
        }
        else
        {
            throw new InvalidOperationException(
                $"The Storage connection setting '{SettingName}' is missing: set it to a connection string, or set " +
                $"'{SettingName}__accountName' (or '{SettingName}__{name}ServiceUri') for an identity-based connection");
        }
        return new StorageAccountEndpoint(null, uri, AzureIdentitySetting.Credential(section));
    }

    /// <summary>
    /// A client for <paramref name="service"/> built from the setting, whichever form it takes. A malformed
    /// connection string fails naming the setting, never quoting it (it may hold the account key).
    /// </summary>
    public static T CreateClient<T>(IConfiguration configuration, StorageService service, Func<string, T> fromConnectionString,
        Func<Uri, TokenCredential, T> fromIdentity)
    {
        ArgumentNullException.ThrowIfNull(fromConnectionString);
        ArgumentNullException.ThrowIfNull(fromIdentity);
        var endpoint = Resolve(configuration, service);
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
            // Not chained: the SDK's message may quote the connection string.
            throw new InvalidOperationException($"The setting '{SettingName}' is not a valid Storage connection string ({ex.GetType().Name})");
        }
    }
}

public enum StorageService
{
    Queue,
    Table,
    Blob,
}

/// <summary>Either a connection string, or a service URI with the credential to reach it.</summary>
public sealed record StorageAccountEndpoint(string? ConnectionString, Uri? ServiceUri, TokenCredential? Credential)
{
    // A connection string can hold the account key: never print it.
    public override string ToString() => ServiceUri is null ? "StorageAccountEndpoint { connection string }" : $"StorageAccountEndpoint {{ {ServiceUri} }}";
}
