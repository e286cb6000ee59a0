using System.Text.Json.Nodes;
using Push.Core.Ledger;
using Push.Core.Registry;
using Push.Core.Queues;
using Push.Functions.Composition;
using Push.Functions.DeliverCall;
using Push.Functions.ProcessDeadLetters;
using Push.Functions.RefreshProviderTokens;
using Push.Functions.DeliverMessage;
using Push.Functions.ManageDevices;
using Push.Infra.Tests.Infrastructure;

namespace Push.Infra.Tests;

/// <summary>
/// What the Bicep creates and configures is what the host reads: queue, poison-queue, table, container and
/// setting names are compared with the host's own defaults (the option classes), its appsettings.json and
/// its documented settings, so a rename on either side fails here instead of in Azure.
/// </summary>
public sealed class NameConsistencyTests(CompiledInfrastructure infra) : IClassFixture<CompiledInfrastructure>
{
    /// <summary>
    /// Settings the Bicep sets that the host does not read yet. Each is a Functions convention the host has to
    /// adopt before this deployment can run (infra/README.md, "What the host still needs"). Keep the list short.
    /// </summary>
    public static readonly string[] AwaitingHostSupport =
    [
    ];

    /// <summary>Settings read by libraries by their own fixed names (Azure.Identity, the Azure Monitor exporter).</summary>
    public static readonly string[] PlatformSettings = ["AZURE_CLIENT_ID", "APPLICATIONINSIGHTS_CONNECTION_STRING"];

    private static readonly QueueNames HostQueues = new();

    private static IEnumerable<string> WorkQueues => [HostQueues.Calls, HostQueues.Messages, HostQueues.Devices];

    private IReadOnlyList<RelayApp> Apps => RelayApp.From(infra.Template);

    [Fact]
    public void The_host_defaults_and_appsettings_json_agree_on_the_queue_and_table_names()
    {
        // Both are "what the host reads": if they disagree, the comparison below would be against the wrong one.
        var settings = HostSettings.AppSettings;
        Assert.Equal(HostQueues.Calls, settings["Queues"]!["Calls"]!.GetValue<string>());
        Assert.Equal(HostQueues.Messages, settings["Queues"]!["Messages"]!.GetValue<string>());
        Assert.Equal(HostQueues.Devices, settings["Queues"]!["Devices"]!.GetValue<string>());
        Assert.Equal(new DeviceRegistryOptions().DevicesTable, settings["Registry"]!["DevicesTable"]!.GetValue<string>());
        Assert.Equal(new DeliveryLedgerOptions().Table, settings["Ledger"]!["Table"]!.GetValue<string>());
    }

    [Fact]
    public void Storage_queues_are_the_host_queues_and_their_poison_queues()
    {
        var created = infra.Template.OfType("Microsoft.Storage/storageAccounts/queueServices/queues").Select(q => q.LeafName).ToList();
        var expected = WorkQueues.SelectMany(q => new[] { q, q + "-poison" });
        Assert.Equal(expected.Order(), created.Order());
    }

    [Fact]
    public void Tables_are_the_registry_and_ledger_tables_and_the_dead_letter_archive()
    {
        var created = infra.Template.OfType("Microsoft.Storage/storageAccounts/tableServices/tables").Select(t => t.LeafName).ToList();
        Assert.Equal(new[] { new DeviceRegistryOptions().DevicesTable, new DeliveryLedgerOptions().Table, "deadletters" }.Order(), created.Order());
    }

    [Fact]
    public void The_runtime_blob_container_exists_and_is_private()
    {
        var container = Assert.Single(infra.Template.OfType("Microsoft.Storage/storageAccounts/blobServices/containers"));
        Assert.Equal("push-runtime", container.LeafName);
        Assert.Equal("None", container.Get("properties.publicAccess")!.GetValue<string>());
    }

    [Fact]
    public void Service_bus_queues_are_the_work_queues_with_the_host_retry_budget()
    {
        var template = infra.Template.With("transport", JsonValue.Create("serviceBus"));
        var queues = template.OfType("Microsoft.ServiceBus/namespaces/queues").ToList();
        Assert.Equal(WorkQueues.Order(), queues.Select(q => q.LeafName).Order());

        var maxDequeueCount = HostSettings.HostJson["extensions"]!["queues"]!["maxDequeueCount"]!.GetValue<int>();
        foreach (var queue in queues)
        {
            var p = queue.Get("properties")!.AsObject();
            Assert.Equal(maxDequeueCount, p["maxDeliveryCount"]!.GetValue<int>());
            Assert.Equal("PT1M", p["lockDuration"]!.GetValue<string>());
            Assert.True(p["requiresDuplicateDetection"]!.GetValue<bool>());
            Assert.Equal("PT10M", p["duplicateDetectionHistoryTimeWindow"]!.GetValue<string>());
            Assert.True(p["deadLetteringOnMessageExpiration"]!.GetValue<bool>());
        }
        // The namespace and its queues exist only when Service Bus is the transport.
        Assert.All(infra.Template.OfType("Microsoft.ServiceBus/namespaces"), ns => Assert.Contains("useServiceBus", ns.Condition, StringComparison.Ordinal));
    }

    [Fact]
    public void App_settings_name_the_queues_and_tables_the_bicep_creates()
    {
        var queues = infra.Template.OfType("Microsoft.Storage/storageAccounts/queueServices/queues").Select(q => q.LeafName).ToHashSet();
        var tables = infra.Template.OfType("Microsoft.Storage/storageAccounts/tableServices/tables").Select(t => t.LeafName).ToHashSet();
        Assert.Equal(2, Apps.Count);
        foreach (var app in Apps)
        {
            Assert.Equal(HostQueues.Calls, app.EnvValue("Queues__Calls"));
            Assert.Equal(HostQueues.Messages, app.EnvValue("Queues__Messages"));
            Assert.Equal(HostQueues.Devices, app.EnvValue("Queues__Devices"));
            Assert.Equal(new DeviceRegistryOptions().DevicesTable, app.EnvValue("Registry__DevicesTable"));
            Assert.Equal(new DeliveryLedgerOptions().Table, app.EnvValue("Ledger__Table"));
            Assert.Contains(app.EnvValue("Queues__Calls"), queues);
            Assert.Contains(app.EnvValue("Queues__Messages") + "-poison", queues);
            Assert.Contains(app.EnvValue("Registry__DevicesTable"), tables);
            Assert.Contains(app.EnvValue("Ledger__Table"), tables);
        }
    }

    [Theory]
    [InlineData("storageQueues", "azure-queue", "queueLength")]
    [InlineData("serviceBus", "azure-servicebus", "messageCount")]
    public void Each_function_runs_in_exactly_one_app_which_scales_on_that_function_queue(string transport, string scaler, string lengthKey)
    {
        var queueOf = new Dictionary<string, string>
        {
            [DeliverCallFunction.Name] = HostQueues.Calls,
            [DeliverMessageFunction.Name] = HostQueues.Messages,
            [ManageDevicesFunction.Name] = HostQueues.Devices,
        };
        string[] timers = [RefreshProviderTokensFunction.Name, ProcessDeadLettersFunction.Name];
        var apps = RelayApp.From(infra.Template.With("transport", JsonValue.Create(transport)));
        var enabled = apps.SelectMany(a => a.EnvValue("Functions__Enabled").Split(',')).ToList();
        Assert.Equal(queueOf.Keys.Concat(timers).Order(), enabled.Order());

        foreach (var app in apps)
        {
            var expectedQueues = app.EnvValue("Functions__Enabled").Split(',').Where(f => !timers.Contains(f)).Select(f => queueOf[f]).Order().ToList();
            var rules = app.ScaleRules;
            Assert.Equal(expectedQueues, rules.Select(r => r["custom"]!["metadata"]!["queueName"]!.GetValue<string>()).Order());
            foreach (var rule in rules)
            {
                var custom = rule["custom"]!;
                Assert.Equal(scaler, custom["type"]!.GetValue<string>());
                Assert.True(int.Parse(custom["metadata"]![lengthKey]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) > 0);
                // KEDA authenticates with the app's managed identity, not a stored connection string.
                Assert.Contains("Microsoft.ManagedIdentity/userAssignedIdentities", custom["identity"]!.GetValue<string>(), StringComparison.Ordinal);
                Assert.Null(rule["auth"]);
            }
            Assert.Equal(transport == "serviceBus" ? "ServiceBus" : "StorageQueues", app.EnvValue("Queues__Transport"));
        }
    }

    [Fact]
    public void Every_setting_the_bicep_gives_the_host_is_one_the_host_knows()
    {
        var known = HostSettings.KnownKeys();
        var awaiting = AwaitingHostSupport.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var unknown = new List<string>();
        foreach (var name in Apps.SelectMany(a => a.EnvNames).Distinct())
        {
            if (!name.Contains("__", StringComparison.Ordinal))
            {
                Assert.Contains(name, PlatformSettings);
                continue;
            }
            if (!known.Contains(HostSettings.ToConfigurationKey(name)) && !awaiting.Contains(name))
            {
                unknown.Add(name);
            }
        }
        Assert.True(unknown.Count == 0, "settings neither documented by the host (appsettings.json, README Configuration, Push.Hosting README, host.json) nor listed as awaiting host support: "
            + string.Join(", ", unknown));
    }

    [Fact]
    public void Every_required_setting_in_the_host_readme_is_given_to_the_apps()
    {
        // The README marks required settings; each needs a value in Azure (the connection string's role is
        // played by the identity-based AzureWebJobsStorage__* settings).
        var required = new[] { "Apns:TeamId", "Apns:KeyId", "Apns:PrivateKeyPath", "Fcm:ServiceAccountPath", "Registry:KeyEncryptionKey", "Registry:KeyEncryptionKeyId", "Routing:ConversationHashKey" };
        var documented = HostSettings.ReadmeConfigurationTable().ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var key in required)
        {
            Assert.Contains(key, documented);
            Assert.All(Apps, app => Assert.Contains(key.Replace(":", "__", StringComparison.Ordinal), app.EnvNames));
        }
        Assert.All(Apps, app => Assert.Contains("AzureWebJobsStorage__queueServiceUri", app.EnvNames));
    }

    [Fact]
    public void Provider_credentials_are_key_vault_secrets_mounted_where_the_settings_point()
    {
        foreach (var app in Apps)
        {
            var secrets = app.Secrets.ToDictionary(s => s["name"]!.GetValue<string>());
            var volume = Assert.Single(app.Template["volumes"]!.AsArray())!;
            Assert.Equal("Secret", volume["storageType"]!.GetValue<string>());
            var mount = Assert.Single(app.Container["volumeMounts"]!.AsArray())!;
            Assert.Equal(volume["name"]!.GetValue<string>(), mount["volumeName"]!.GetValue<string>());
            var mountPath = mount["mountPath"]!.GetValue<string>();

            // Only the two files are mounted; the keys stay in environment secrets.
            var files = volume["secrets"]!.AsArray().ToDictionary(s => s!["secretRef"]!.GetValue<string>(), s => s!["path"]!.GetValue<string>());
            Assert.Equal(["apns-auth-key-p8", "fcm-service-account-json"], files.Keys.Order());
            Assert.Equal("/mnt/secrets/apns-auth-key-p8", app.EnvValue("Apns__PrivateKeyPath"));
            Assert.Equal("/mnt/secrets/fcm-service-account-json", app.EnvValue("Fcm__ServiceAccountPath"));
            Assert.Equal(app.EnvValue("Apns__PrivateKeyPath"), mountPath + "/" + files["apns-auth-key-p8"]);
            Assert.Equal(app.EnvValue("Fcm__ServiceAccountPath"), mountPath + "/" + files["fcm-service-account-json"]);

            var keyVaultBacked = new[] { "apns-auth-key-p8", "fcm-service-account-json", "registry-key-encryption-key", "routing-conversation-hash-key" };
            foreach (var name in keyVaultBacked)
            {
                var secret = secrets[name];
                Assert.Null(secret["value"]);
                // The raw expression: the vault URI is only known in Azure, the secret name is ours.
                var url = secret["keyVaultUrl"]!.GetValue<string>();
                Assert.Contains("Microsoft.KeyVault/vaults", url, StringComparison.Ordinal);
                Assert.EndsWith(".vaultUrisecrets/" + name, url, StringComparison.Ordinal);
                Assert.Contains("Microsoft.ManagedIdentity/userAssignedIdentities", secret["identity"]!.GetValue<string>(), StringComparison.Ordinal);
            }
            Assert.Equal("registry-key-encryption-key", app.EnvEntry("Registry__KeyEncryptionKey")["secretRef"]!.GetValue<string>());
            Assert.Equal("routing-conversation-hash-key", app.EnvEntry("Routing__ConversationHashKey")["secretRef"]!.GetValue<string>());
            Assert.Equal("appinsights-connection-string", app.EnvEntry("APPLICATIONINSIGHTS_CONNECTION_STRING")["secretRef"]!.GetValue<string>());
            Assert.Null(app.EnvEntry("Registry__KeyEncryptionKey")["value"]);
            Assert.Null(app.EnvEntry("Routing__ConversationHashKey")["value"]);
        }
    }
}
