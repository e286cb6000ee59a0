using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Configuration;

namespace Push.Core.Storage;

/// <summary>
/// The Functions convention for the identity of an identity-based connection section (<c>AzureWebJobsStorage__…</c>,
/// <c>AzureWebJobsServiceBus__…</c>): <c>__credential=managedidentity</c> with an optional <c>__clientId</c> (a
/// user-assigned identity), otherwise DefaultAzureCredential (with that client id, for local development).
/// </summary>
public static class AzureIdentitySetting
{
    public static TokenCredential Credential(IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var clientId = section["clientId"];
        if (string.Equals(section["credential"], "managedidentity", StringComparison.OrdinalIgnoreCase))
        {
            return string.IsNullOrEmpty(clientId)
                ? new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned)
                : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
        }
        return string.IsNullOrEmpty(clientId)
            ? new DefaultAzureCredential()
            : new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = clientId });
    }
}
