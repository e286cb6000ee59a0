using System.Text.Json.Nodes;
using Push.Infra.Tests.Infrastructure;

namespace Push.Infra.Tests;

/// <summary>The app's identity gets data-plane roles only, each on the narrowest resource, and nothing authenticates with a key.</summary>
public sealed class LeastPrivilegeTests(CompiledInfrastructure infra) : IClassFixture<CompiledInfrastructure>
{
    // Built-in role definition ids (learn.microsoft.com/azure/role-based-access-control/built-in-roles), with the
    // resource type each may be scoped to.
    private static readonly Dictionary<string, (string Role, string Scope)> Allowed = new()
    {
        ["974c5e8b-45b9-4653-ba55-5f855dd0fb88"] = ("Storage Queue Data Contributor", "Microsoft.Storage/storageAccounts/queueServices/queues"),
        ["0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"] = ("Storage Table Data Contributor", "Microsoft.Storage/storageAccounts/tableServices/tables"),
        ["76199698-9eea-4c19-bc75-cec21354c6b6"] = ("Storage Table Data Reader", "Microsoft.Storage/storageAccounts/tableServices/tables"),
        ["ba92f5b4-2d11-453d-a403-e96b0029c9fe"] = ("Storage Blob Data Contributor", "Microsoft.Storage/storageAccounts/blobServices/containers"),
        ["69a216fc-b8fb-44d8-bc22-1f3c2cd27a39"] = ("Azure Service Bus Data Sender", "Microsoft.ServiceBus/namespaces/queues"),
        ["4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0"] = ("Azure Service Bus Data Receiver", "Microsoft.ServiceBus/namespaces/queues"),
        ["4633458b-17de-408a-b874-0445c86b69e6"] = ("Key Vault Secrets User", "Microsoft.KeyVault/vaults"),
        ["b86a8fe4-44ce-4948-aee5-eccb2c155cd7"] = ("Key Vault Secrets Officer", "Microsoft.KeyVault/vaults"),
        ["3913510d-42f4-4e42-8a64-420c390055eb"] = ("Monitoring Metrics Publisher", "Microsoft.Insights/components"),
    };

    private sealed record Assignment(string Role, string ScopeType, string Scope, string Principal);

    private static List<Assignment> Assignments(ArmTemplate template) =>
        template.DeployedOfType("Microsoft.Authorization/roleAssignments").Select(r =>
        {
            var roleDefinition = r.Get("properties.roleDefinitionId")!.GetValue<string>();
            var roleId = Allowed.Keys.SingleOrDefault(id => roleDefinition.Contains(id, StringComparison.OrdinalIgnoreCase))
                ?? throw new Xunit.Sdk.XunitException("role outside the allowed set: " + roleDefinition);
            var (role, scopeType) = Allowed[roleId];
            return new Assignment(role, scopeType, r.Get("scope")!.GetValue<string>(), r.Get("properties.principalId")!.GetValue<string>());
        }).ToList();

    private static string ProviderPath(string resourceId) => resourceId[(resourceId.IndexOf("/providers/", StringComparison.Ordinal) + "/providers/".Length)..];

    // "Microsoft.Storage/storageAccounts/st/queueServices/default/queues/push-calls" is of type ".../queueServices/queues".
    private static string TypeOf(string resourceId)
    {
        var segments = ProviderPath(resourceId).Split('/');
        return string.Join('/', new[] { segments[0] }.Concat(segments.Skip(1).Where((_, i) => i % 2 == 0)));
    }

    [Theory]
    [InlineData("storageQueues")]
    [InlineData("serviceBus")]
    public void The_app_identity_gets_each_data_role_on_each_resource_it_uses_and_no_more(string transport)
    {
        var template = infra.Evaluated(transport: transport);
        var app = Assignments(template).Where(a => a.Principal == SimulatedAzure.IdentityPrincipalId.ToString()).ToList();
        foreach (var assignment in app)
        {
            Assert.True(TypeOf(assignment.Scope) == assignment.ScopeType, $"{assignment.Role} must be scoped to a {assignment.ScopeType}, is scoped to {assignment.Scope}");
        }
        IEnumerable<string> ScopesOf(string role) => app.Where(a => a.Role == role).Select(a => a.Scope.Split('/')[^1]).Order();

        var site = FunctionAppSite.From(template);
        string[] workQueues = [site.Setting("Queues__Calls"), site.Setting("Queues__Messages"), site.Setting("Queues__Devices")];
        var storageQueues = transport == "serviceBus" ? [] : workQueues.SelectMany(q => new[] { q, q + "-poison" });
        Assert.Equal(storageQueues.Order(), ScopesOf("Storage Queue Data Contributor"));
        Assert.Equal(new[] { site.Setting("Registry__DevicesTable"), site.Setting("Ledger__Table"), site.Setting("DeadLetters__ArchiveTable") }.Order(),
            ScopesOf("Storage Table Data Contributor"));
        // The relay's tokens, the host's timer locks and key store, the deployment package.
        Assert.Equal(new[] { site.Setting("ProviderTokens__ContainerName"), "azure-webjobs-hosts", "azure-webjobs-secrets", "app-package" }.Order(),
            ScopesOf("Storage Blob Data Contributor"));
        var serviceBusQueues = transport == "serviceBus" ? workQueues : [];
        Assert.Equal(serviceBusQueues.Order(), ScopesOf("Azure Service Bus Data Sender"));
        Assert.Equal(serviceBusQueues.Order(), ScopesOf("Azure Service Bus Data Receiver"));
        Assert.Single(ScopesOf("Key Vault Secrets User"));
        Assert.Single(ScopesOf("Monitoring Metrics Publisher"));
        Assert.Empty(ScopesOf("Key Vault Secrets Officer"));   // the app reads secrets, never writes them
        Assert.Empty(ScopesOf("Storage Table Data Reader"));
    }

    [Theory]
    [InlineData("storageQueues", 9)]   // Secrets Officer; six queues; the archive; the ledger (read)
    [InlineData("serviceBus", 9)]      // Secrets Officer; three queues to receive from and send to; the archive; the ledger (read)
    public void The_operator_gets_what_setting_secrets_and_push_dlq_need_only_when_named(string transport, int expected)
    {
        var template = infra.Evaluated(transport: transport);
        var nobody = Assignments(template).Where(a => a.Principal != SimulatedAzure.IdentityPrincipalId.ToString());
        Assert.Empty(nobody);

        const string operatorId = "99999999-0000-0000-0000-000000000001";
        var named = Assignments(template.With("operatorPrincipalId", JsonValue.Create(operatorId))).Where(a => a.Principal == operatorId).ToList();
        Assert.Equal(expected, named.Count);
        Assert.All(named, a => Assert.Equal(a.ScopeType, TypeOf(a.Scope)));
        Assert.Single(named, a => a.Role == "Key Vault Secrets Officer");
        var site = FunctionAppSite.From(template);
        Assert.Equal(site.Setting("DeadLetters__ArchiveTable"), Assert.Single(named, a => a.Role == "Storage Table Data Contributor").Scope.Split('/')[^1]);
        Assert.Equal(site.Setting("Ledger__Table"), Assert.Single(named, a => a.Role == "Storage Table Data Reader").Scope.Split('/')[^1]);
        Assert.DoesNotContain(named, a => a.ScopeType.EndsWith("/containers", StringComparison.Ordinal));
    }

    [Fact]
    public void Storage_service_bus_and_telemetry_refuse_keys()
    {
        var template = infra.Evaluated(transport: "serviceBus");
        var storage = Assert.Single(template.OfType("Microsoft.Storage/storageAccounts"));
        Assert.False(storage.Get("properties.allowSharedKeyAccess")!.GetValue<bool>());
        Assert.False(storage.Get("properties.allowBlobPublicAccess")!.GetValue<bool>());
        Assert.Equal("TLS1_2", storage.Get("properties.minimumTlsVersion")!.GetValue<string>());
        var serviceBus = Assert.Single(template.DeployedOfType("Microsoft.ServiceBus/namespaces"));
        Assert.True(serviceBus.Get("properties.disableLocalAuth")!.GetValue<bool>());
        var appInsights = Assert.Single(template.OfType("Microsoft.Insights/components"));
        Assert.True(appInsights.Get("properties.DisableLocalAuth")!.GetValue<bool>());
        Assert.EndsWith(Assert.Single(template.OfType("Microsoft.OperationalInsights/workspaces")).LeafName,
            appInsights.Get("properties.WorkspaceResourceId")!.GetValue<string>(), StringComparison.Ordinal);
        // Deployments use Entra ID too: no publishing user name and password.
        var policies = template.OfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies").ToList();
        Assert.Equal(["ftp", "scm"], policies.Select(p => p.LeafName).Order());
        Assert.All(policies, p => Assert.False(p.Get("properties.allow")!.GetValue<bool>()));
    }

    [Theory]
    [InlineData("storageQueues")]
    [InlineData("serviceBus")]
    public void The_app_connects_with_its_user_assigned_identity_only(string transport)
    {
        var template = infra.Evaluated(transport: transport);
        var site = FunctionAppSite.From(template);
        Assert.Equal("UserAssigned", site.Resource.Get("identity.type")!.GetValue<string>());
        var identityId = Assert.Single(site.Resource.Get("identity.userAssignedIdentities")!.AsObject()).Key;
        Assert.Equal(identityId, site.Resource.Get("properties.keyVaultReferenceIdentity")!.GetValue<string>());
        Assert.Equal(identityId, site.Config["deployment"]!["storage"]!["authentication"]!["userAssignedIdentityResourceId"]!.GetValue<string>());
        Assert.Equal("UserAssignedIdentity", site.Config["deployment"]!["storage"]!["authentication"]!["type"]!.GetValue<string>());

        var clientId = SimulatedAzure.IdentityClientId.ToString();
        Assert.Equal("managedidentity", site.Setting("AzureWebJobsStorage__credential"));
        Assert.Equal(clientId, site.Setting("AzureWebJobsStorage__clientId"));
        Assert.Equal(clientId, site.Setting("AZURE_CLIENT_ID"));
        Assert.Equal($"Authorization=AAD;ClientId={clientId}", site.Setting("APPLICATIONINSIGHTS_AUTHENTICATION_STRING"));
        if (transport == "serviceBus")
        {
            Assert.Equal("managedidentity", site.Setting("AzureWebJobsServiceBus__credential"));
            Assert.Equal(clientId, site.Setting("AzureWebJobsServiceBus__clientId"));
        }
        // The bare Functions names would mean connection strings with a key.
        Assert.DoesNotContain("AzureWebJobsStorage", site.Names);
        Assert.DoesNotContain("AzureWebJobsServiceBus", site.Names);
        var everything = site.Resource.Definition.ToJsonString() + string.Join('\n', site.Settings.Values);
        foreach (var keyish in new[] { "AccountKey=", "SharedAccessKey", "listKeys", "listConnectionStrings", "primaryKey" })
        {
            Assert.DoesNotContain(keyish, everything, StringComparison.OrdinalIgnoreCase);
        }
    }
}
