using System.Text.Json.Nodes;

namespace Push.Infra.Tests.Infrastructure;

/// <summary>
/// Plays Azure's part for the functions of the template only Azure can evaluate (resourceGroup, uniqueString,
/// resourceId, reference), with fixed, well-formed answers in Azure's own shapes: endpoints as Storage, Key Vault and
/// Service Bus report them, a client id for the identity. With it the app settings become concrete strings that the
/// app's own code can read. Nothing here is a real deployment; the values are only plausible.
/// </summary>
public static class SimulatedAzure
{
    public const string SubscriptionId = "00000000-0000-0000-0000-000000000001";
    public const string ResourceGroup = "rg-push-test";
    public const string UniqueString = "abcdefghij123";
    public static readonly Guid IdentityClientId = Guid.Parse("11111111-2222-3333-4444-555555555555");
    public static readonly Guid IdentityPrincipalId = Guid.Parse("66666666-7777-8888-9999-000000000000");

    public static JsonNode? Answer(string name, IReadOnlyList<JsonNode?> arguments) => name.ToLowerInvariant() switch
    {
        "resourcegroup" => new JsonObject
        {
            ["id"] = $"/subscriptions/{SubscriptionId}/resourceGroups/{ResourceGroup}",
            ["name"] = ResourceGroup,
            ["location"] = "westeurope",
        },
        "subscription" => new JsonObject { ["subscriptionId"] = SubscriptionId, ["tenantId"] = "00000000-0000-0000-0000-00000000000a" },
        "uniquestring" => UniqueString,
        "resourceid" => ResourceId(arguments.Select(a => a!.GetValue<string>()).ToList()),
        "reference" => Reference(arguments[0]!.GetValue<string>()),
        _ => null,
    };

    private static string ResourceId(IReadOnlyList<string> parts)
    {
        // resourceId('A/b/c', 'x', 'y') = .../providers/A/b/x/c/y: the type's segments interleaved with the names.
        var typeSegments = parts[0].Split('/');
        var path = typeSegments[0];
        for (var i = 1; i < typeSegments.Length; i++)
        {
            path += $"/{typeSegments[i]}/{parts[i]}";
        }
        return $"/subscriptions/{SubscriptionId}/resourceGroups/{ResourceGroup}/providers/{path}";
    }

    private static JsonObject? Reference(string resourceId)
    {
        var segments = resourceId.Split('/');
        var name = segments[^1];
        var type = resourceId[(resourceId.IndexOf("/providers/", StringComparison.Ordinal) + "/providers/".Length)..];
        return type switch
        {
            _ when type.StartsWith("Microsoft.ManagedIdentity/userAssignedIdentities/", StringComparison.Ordinal) => new JsonObject
            {
                ["clientId"] = IdentityClientId.ToString(),
                ["principalId"] = IdentityPrincipalId.ToString(),
            },
            _ when type.StartsWith("Microsoft.Storage/storageAccounts/", StringComparison.Ordinal) && segments.Length == 9 => new JsonObject
            {
                ["primaryEndpoints"] = new JsonObject
                {
                    ["blob"] = $"https://{name}.blob.core.windows.net/",
                    ["queue"] = $"https://{name}.queue.core.windows.net/",
                    ["table"] = $"https://{name}.table.core.windows.net/",
                },
            },
            _ when type.StartsWith("Microsoft.KeyVault/vaults/", StringComparison.Ordinal) => new JsonObject { ["vaultUri"] = $"https://{name}.vault.azure.net/" },
            _ when type.StartsWith("Microsoft.ServiceBus/namespaces/", StringComparison.Ordinal) =>
                new JsonObject { ["serviceBusEndpoint"] = $"https://{name}.servicebus.windows.net:443/" },
            _ when type.StartsWith("Microsoft.Insights/components/", StringComparison.Ordinal) => new JsonObject
            {
                ["ConnectionString"] = "InstrumentationKey=00000000-0000-0000-0000-0000000000ff;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/",
            },
            _ => null,
        };
    }
}
