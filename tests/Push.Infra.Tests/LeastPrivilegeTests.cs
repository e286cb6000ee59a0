using System.Text.Json.Nodes;
using Push.Infra.Tests.Infrastructure;

namespace Push.Infra.Tests;

/// <summary>The relay's identity gets data-plane roles only, each on the narrowest resource, and nothing authenticates with a key.</summary>
public sealed class LeastPrivilegeTests(CompiledInfrastructure infra) : IClassFixture<CompiledInfrastructure>
{
    // Built-in role definition ids (learn.microsoft.com/azure/role-based-access-control/built-in-roles), with
    // the resource type each may be scoped to.
    private static readonly Dictionary<string, (string Role, string Scope)> Allowed = new()
    {
        ["974c5e8b-45b9-4653-ba55-5f855dd0fb88"] = ("Storage Queue Data Contributor", "Microsoft.Storage/storageAccounts/queueServices/queues"),
        ["0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"] = ("Storage Table Data Contributor", "Microsoft.Storage/storageAccounts/tableServices/tables"),
        ["ba92f5b4-2d11-453d-a403-e96b0029c9fe"] = ("Storage Blob Data Contributor", "Microsoft.Storage/storageAccounts/blobServices/containers"),
        ["69a216fc-b8fb-44d8-bc22-1f3c2cd27a39"] = ("Azure Service Bus Data Sender", "Microsoft.ServiceBus/namespaces"),
        ["4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0"] = ("Azure Service Bus Data Receiver", "Microsoft.ServiceBus/namespaces"),
        ["4633458b-17de-408a-b874-0445c86b69e6"] = ("Key Vault Secrets User", "Microsoft.KeyVault/vaults"),
        ["b86a8fe4-44ce-4948-aee5-eccb2c155cd7"] = ("Key Vault Secrets Officer", "Microsoft.KeyVault/vaults"),
        ["7f951dda-4ed3-4680-a7ca-43fe172d538d"] = ("AcrPull", "Microsoft.ContainerRegistry/registries"),
    };

    private IReadOnlyList<(string RoleId, string Scope, string Principal, string? Condition)> Assignments =>
        infra.Template.OfType("Microsoft.Authorization/roleAssignments").Select(r =>
        {
            var roleDefinition = r.Get("properties.roleDefinitionId")!.GetValue<string>();
            // subscriptionResourceId(...) is only resolved in Azure: the role GUID is its last argument.
            var roleId = Allowed.Keys.SingleOrDefault(id => roleDefinition.Contains(id, StringComparison.OrdinalIgnoreCase))
                ?? throw new Xunit.Sdk.XunitException("role outside the allowed set: " + roleDefinition);
            return (roleId, r.GetRaw("scope")?.GetValue<string>() ?? "(resource group)",
                r.GetRaw("properties.principalId")!.GetValue<string>(), r.Condition);
        }).ToList();

    [Fact]
    public void The_relay_identity_gets_each_data_role_on_each_resource_it_uses_and_no_more()
    {
        var relay = Assignments.Where(a => a.Principal.Contains("userAssignedIdentities", StringComparison.Ordinal)).ToList();
        foreach (var (roleId, scope, _, _) in relay)
        {
            var (role, scopeType) = Allowed[roleId];
            Assert.True(scope.Contains($"'{scopeType}'", StringComparison.Ordinal), $"{role} must be scoped to a {scopeType}, is scoped to {scope}");
        }
        int Count(string role) => relay.Count(a => Allowed[a.RoleId].Role == role);
        Assert.Equal(6, Count("Storage Queue Data Contributor"));   // three queues and their -poison queues
        Assert.Equal(3, Count("Storage Table Data Contributor"));   // devices, deliveries, deadletters
        Assert.Equal(1, Count("Storage Blob Data Contributor"));    // push-runtime
        Assert.Equal(1, Count("Azure Service Bus Data Sender"));
        Assert.Equal(1, Count("Azure Service Bus Data Receiver"));
        Assert.Equal(1, Count("Key Vault Secrets User"));
        Assert.Equal(1, Count("AcrPull"));
        Assert.Equal(0, Count("Key Vault Secrets Officer"));         // the relay reads secrets, never writes them
    }

    [Fact]
    public void Optional_grants_exist_only_when_asked_for()
    {
        var serviceBus = Assignments.Where(a => Allowed[a.RoleId].Scope == "Microsoft.ServiceBus/namespaces").ToList();
        Assert.All(serviceBus, a => Assert.Contains("useServiceBus", a.Condition, StringComparison.Ordinal));
        var acr = Assert.Single(Assignments, a => Allowed[a.RoleId].Role == "AcrPull");
        Assert.Contains("containerRegistryName", acr.Condition, StringComparison.Ordinal);
        var officer = Assert.Single(Assignments, a => Allowed[a.RoleId].Role == "Key Vault Secrets Officer");
        Assert.Contains("operatorPrincipalId", officer.Condition, StringComparison.Ordinal);
        Assert.Contains("parameters('operatorPrincipalId')", officer.Principal, StringComparison.Ordinal);
    }

    [Fact]
    public void Storage_and_service_bus_refuse_keys()
    {
        var storage = Assert.Single(infra.Template.OfType("Microsoft.Storage/storageAccounts"));
        Assert.False(storage.Get("properties.allowSharedKeyAccess")!.GetValue<bool>());
        Assert.False(storage.Get("properties.allowBlobPublicAccess")!.GetValue<bool>());
        Assert.Equal("TLS1_2", storage.Get("properties.minimumTlsVersion")!.GetValue<string>());
        var serviceBus = Assert.Single(infra.Template.OfType("Microsoft.ServiceBus/namespaces"));
        Assert.True(serviceBus.Get("properties.disableLocalAuth")!.GetValue<bool>());
        Assert.Equal("Standard", serviceBus.Get("sku.name")!.GetValue<string>());
    }

    [Fact]
    public void The_apps_connect_with_their_managed_identity_only()
    {
        foreach (var app in RelayApp.From(infra.Template))
        {
            Assert.Equal("UserAssigned", app.Resource.Get("identity.type")!.GetValue<string>());
            Assert.Equal("managedidentity", app.EnvValue("AzureWebJobsStorage__credential"));
            Assert.Equal(app.EnvValue("AZURE_CLIENT_ID"), app.EnvValue("AzureWebJobsStorage__clientId"));
            Assert.Contains("userAssignedIdentities", app.EnvValue("AZURE_CLIENT_ID"), StringComparison.Ordinal);
            Assert.Contains("clientId", app.EnvValue("AZURE_CLIENT_ID"), StringComparison.Ordinal);
            // No connection string: the Functions name alone would mean one with a key.
            Assert.DoesNotContain("AzureWebJobsStorage", app.EnvNames);
            var everything = app.Container.ToJsonString() + app.Configuration.ToJsonString();
            foreach (var keyish in new[] { "AccountKey=", "SharedAccessKey", "listKeys", "listConnectionStrings", "primaryKey" })
            {
                Assert.DoesNotContain(keyish, everything, StringComparison.OrdinalIgnoreCase);
            }
            // Every secret is a Key Vault reference except the Application Insights connection string,
            // which carries only an ingestion key (a connection string by design).
            var plain = app.Secrets.Where(s => s["value"] is not null).Select(s => s["name"]!.GetValue<string>());
            Assert.Equal(["appinsights-connection-string"], plain);
            Assert.Null(app.Configuration["ingress"]);
        }
    }
}
