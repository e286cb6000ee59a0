using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Azure.Identity;
using Cronos;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Push.Core.Credentials;
using Push.Core.DeadLetters;
using Push.Core.Ledger;
using Push.Core.Queues;
using Push.Core.Registry;
using Push.Core.ServiceBus;
using Push.Core.Storage;
using Push.Core.StorageQueues;
using Push.Functions.Composition;
using Push.Functions.ProcessDeadLetters;
using Push.Functions.RewrapDeviceKeys;
using Push.Functions.RefreshProviderTokens;
using Push.Infra.Tests.Infrastructure;
using Push.Providers.Apns;
using Push.Providers.Fcm;

namespace Push.Infra.Tests;

/// <summary>
/// The template against the app the build produced: every function in functions.metadata has its queue (and poison
/// queue), its settings and its connection; the always-ready entries name functions that exist; every setting is one
/// the app reads; and the worker, composed with exactly the template's settings, passes its start-up validation.
/// </summary>
public sealed class BuiltAppConsistencyTests(CompiledInfrastructure infra) : IClassFixture<CompiledInfrastructure>
{
    public static readonly TheoryData<string> Transports = new() { "storageQueues", "serviceBus" };

    [Fact]
    public void The_template_knows_the_functions_the_built_app_has()
    {
        var declared = infra.Template.Evaluator.EvaluateExpression("variables('functions')")!.AsObject()
            .Select(p => p.Value!.GetValue<string>());
        Assert.Equal(BuiltApp.Functions.Select(f => f.Name).Order(), declared.Order());
        Assert.Equal(3, BuiltApp.Functions.Count(f => f.IsQueueTriggered));
        Assert.Equal(3, BuiltApp.Functions.Count(f => f.IsTimerTriggered));
    }

    [Fact]
    public void On_storage_queues_every_queue_function_has_its_queue_its_poison_queue_and_an_identity_connection()
    {
        var template = infra.Evaluated(transport: "storageQueues");
        var site = FunctionAppSite.From(template);
        var queues = template.DeployedOfType("Microsoft.Storage/storageAccounts/queueServices/queues").Select(q => q.LeafName).ToHashSet();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(site.AsConfiguration()).Build();

        foreach (var function in BuiltApp.Functions.Where(f => f.IsQueueTriggered))
        {
            var queue = site.Setting(function.SettingKey!.Replace(":", "__", StringComparison.Ordinal));
            Assert.Contains(queue, queues);
            Assert.Contains(PoisonQueueName.Of(queue), queues);
            Assert.DoesNotContain(function.Name, site.DisabledFunctions);

            // The connection the trigger names resolves, through the app's own reader, to this account's queue
            // endpoint with the user-assigned identity.
            Assert.Equal(StorageAccountSetting.SettingName, function.Connection);
            var endpoint = StorageAccountSetting.Resolve(configuration, StorageService.Queue);
            Assert.Null(endpoint.ConnectionString);
            Assert.Equal(new Uri(site.Setting("AzureWebJobsStorage__queueServiceUri")), endpoint.ServiceUri);
            Assert.IsType<ManagedIdentityCredential>(endpoint.Credential);
        }
        // Nothing else: every Storage queue belongs to a function.
        var expected = BuiltApp.Functions.Where(f => f.IsQueueTriggered)
            .Select(f => site.Setting(f.SettingKey!.Replace(":", "__", StringComparison.Ordinal)))
            .SelectMany(q => new[] { q, PoisonQueueName.Of(q) });
        Assert.Equal(expected.Order(), queues.Order());
    }

    [Fact]
    public void On_service_bus_every_queue_function_has_its_service_bus_queue_and_is_disabled()
    {
        var template = infra.Evaluated(transport: "serviceBus");
        var site = FunctionAppSite.From(template);
        var serviceBusQueues = template.DeployedOfType("Microsoft.ServiceBus/namespaces/queues").ToDictionary(q => q.LeafName);
        var maxDequeueCount = HostJson()["extensions"]!["queues"]!["maxDequeueCount"]!.GetValue<int>();

        Assert.Empty(template.DeployedOfType("Microsoft.Storage/storageAccounts/queueServices/queues"));
        Assert.Equal("ServiceBus", site.Setting("Queues__Transport"));
        foreach (var function in BuiltApp.Functions.Where(f => f.IsQueueTriggered))
        {
            var queue = site.Setting(function.SettingKey!.Replace(":", "__", StringComparison.Ordinal));
            var properties = serviceBusQueues[queue].Get("properties")!;
            // A poisoned event costs the same number of attempts on either transport.
            Assert.Equal(maxDequeueCount, properties["maxDeliveryCount"]!.GetValue<int>());
            Assert.True(properties["deadLetteringOnMessageExpiration"]!.GetValue<bool>());
            Assert.True(properties["requiresDuplicateDetection"]!.GetValue<bool>());
            // The Storage-queue trigger would only poll an empty queue.
            Assert.Contains(function.Name, site.DisabledFunctions);
        }
        Assert.Equal(3, serviceBusQueues.Count);

        // The app's own reader turns the settings into a client for this namespace with the identity.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(site.AsConfiguration()).Build();
        var client = ServiceBusConnectionSetting.CreateClient(configuration, new Azure.Messaging.ServiceBus.ServiceBusClientOptions());
        var ns = Assert.Single(template.DeployedOfType("Microsoft.ServiceBus/namespaces")).LeafName;
        Assert.Equal($"{ns}.servicebus.windows.net", client.FullyQualifiedNamespace);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public void Every_timer_has_its_schedule_setting_in_ncrontab_and_stays_enabled(string transport)
    {
        var site = FunctionAppSite.From(infra.Evaluated(transport: transport));
        foreach (var function in BuiltApp.Functions.Where(f => f.IsTimerTriggered))
        {
            var schedule = site.Setting(function.SettingKey!.Replace(":", "__", StringComparison.Ordinal));
            // Flex Consumption takes NCRONTAB only (a TimeSpan schedule needs an always-on plan); six fields, seconds first.
            Assert.NotNull(CronExpression.Parse(schedule, CronFormat.IncludeSeconds));
            Assert.DoesNotContain(function.Name, site.DisabledFunctions);
        }
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public void Always_ready_names_functions_the_app_has_that_stay_enabled(string transport)
    {
        var site = FunctionAppSite.From(infra.Evaluated(transport: transport));
        var names = BuiltApp.Functions.Select(f => f.Name).ToHashSet();
        var entry = Assert.Single(site.AlwaysReady);
        Assert.StartsWith("function:", entry.Key, StringComparison.Ordinal);
        var function = entry.Key["function:".Length..];
        Assert.Contains(function, names);
        Assert.DoesNotContain(function, site.DisabledFunctions);
        Assert.True(entry.Value >= 1);
        // A ringing phone must not wait for a cold start; with Service Bus the processors need a running instance.
        Assert.Equal(transport == "serviceBus" ? RefreshProviderTokensFunction.Name : "DeliverCall", function);
    }

    [Fact]
    public void The_template_defaults_are_the_app_defaults()
    {
        var parameters = infra.Template.ParameterDeclarations;
        string Default(string name) => parameters[name]!["defaultValue"]!.GetValue<string>();
        var queues = new QueueNames();
        Assert.Equal(queues.Calls, Default("callsQueueName"));
        Assert.Equal(queues.Messages, Default("messagesQueueName"));
        Assert.Equal(queues.Devices, Default("devicesQueueName"));
        Assert.Equal(new DeviceRegistryOptions().DevicesTable, Default("devicesTableName"));
        Assert.Equal(new DeliveryLedgerOptions().Table, Default("ledgerTableName"));
        Assert.Equal(new DeadLetterOptions().ArchiveTable, Default("deadLettersTableName"));
        Assert.Equal(new SharedProviderTokenOptions().ContainerName, Default("providerTokensContainerName"));
        Assert.Equal(RefreshProviderTokensFunction.DefaultSchedule, Default("refreshProviderTokensSchedule"));
        Assert.Equal(ProcessDeadLettersFunction.DefaultSchedule, Default("processDeadLettersSchedule"));
        Assert.Equal(RewrapDeviceKeysFunction.DefaultSchedule, Default("rewrapDeviceKeysSchedule"));
        Assert.Equal(ApnsOptions.ProductionEndpoint, new Uri(Default("apnsEndpoint")));
        Assert.Equal(FcmOptions.ProductionEndpoint, new Uri(Default("fcmEndpoint")));
        Assert.Equal(new KeyVaultOptions().FcmServiceAccountSecretName, infra.Evaluated().Evaluator.EvaluateExpression("variables('secretNames').fcmServiceAccount")!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public void Every_setting_the_template_gives_is_one_the_app_or_the_host_reads(string transport)
    {
        var keys = AppSettingsCatalog.Keys();
        var template = infra.Evaluated(transport: transport)
            .With("previousKeyEncryptionKeyIds", new JsonArray("kek0"))
            .With("disabledFunctions", new JsonArray("ProcessDeadLetters"));
        var site = FunctionAppSite.From(template);
        var functions = BuiltApp.Functions.Select(f => f.Name).ToHashSet();
        var unknown = new List<string>();
        foreach (var name in site.Names)
        {
            var disabled = name.StartsWith("AzureWebJobs.", StringComparison.Ordinal) && name.EndsWith(".Disabled", StringComparison.Ordinal)
                && functions.Contains(name["AzureWebJobs.".Length..^".Disabled".Length]);
            if (!disabled && !AppSettingsCatalog.Knows(keys, name.Replace("__", ":", StringComparison.Ordinal)))
            {
                unknown.Add(name);
            }
        }
        Assert.True(unknown.Count == 0, "settings neither the app (its options, functions.metadata, its connection readers) nor the host reads: "
            + string.Join(", ", unknown));
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public void The_worker_composed_with_the_template_settings_starts(string transport)
    {
        var site = FunctionAppSite.From(infra.Evaluated(transport: transport).With("previousKeyEncryptionKeyIds", new JsonArray("kek0")));
        using var provider = ComposeWorker(site);

        var failures = StartupFailures(provider);

        // The provider secrets come from Key Vault (no file on Flex): nothing the app validates at start is missing.
        Assert.True(failures.Count == 0, "the app refuses settings the template gives:\n" + string.Join("\n", failures));
        // What the template gives did arrive: the key ids, the queue transport, and an earlier KEK by its id.
        var kek = provider.GetRequiredService<IOptions<DeviceKeyProtectionOptions>>().Value;
        Assert.Equal(site.Setting("Registry__KeyEncryptionKeyId"), kek.KeyEncryptionKeyId);
        Assert.Equal(["kek0"], kek.PreviousKeyEncryptionKeys.Keys);
        Assert.Equal(transport == "serviceBus" ? QueueTransport.ServiceBus : QueueTransport.StorageQueues,
            provider.GetRequiredService<IOptions<QueueNames>>().Value.Transport);
        Assert.Equal(new Uri(site.Setting("KeyVault__Uri")), provider.GetRequiredService<IOptions<KeyVaultOptions>>().Value.Uri);
    }

    [Fact]
    public void Key_vault_references_name_the_template_vault_and_the_secrets_it_documents()
    {
        var template = infra.Evaluated().With("previousKeyEncryptionKeyIds", new JsonArray("kek_0"));
        var site = FunctionAppSite.From(template);
        var vault = Assert.Single(template.OfType("Microsoft.KeyVault/vaults")).LeafName;
        var secretNames = template.Evaluator.EvaluateExpression("variables('secretNames')")!.AsObject()
            .ToDictionary(p => p.Key, p => p.Value!.GetValue<string>());
        string Reference(string secret) => $"@Microsoft.KeyVault(VaultName={vault};SecretName={secret})";

        Assert.Equal(Reference(secretNames["keyEncryptionKey"]), site.Setting("Registry__KeyEncryptionKey"));
        Assert.Equal(Reference(secretNames["conversationHashKey"]), site.Setting("Routing__ConversationHashKey"));
        // Key Vault secret names allow letters, digits and '-' only.
        Assert.Equal(Reference("registry-kek-kek-0"), site.Setting("Registry__PreviousKeyEncryptionKeys__kek_0"));
        Assert.Equal($"registry-kek-{site.Setting("Registry__KeyEncryptionKeyId")}", secretNames["keyEncryptionKey"]);
        // The provider credentials are read by the app's own Key Vault client, by these names.
        Assert.Equal(secretNames["apnsKey"], site.Setting("KeyVault__ApnsKeySecretName"));
        Assert.Equal($"apns-auth-key-{site.Setting("Apns__KeyId").ToLowerInvariant()}", secretNames["apnsKey"]);
        Assert.Equal(secretNames["fcmServiceAccount"], site.Setting("KeyVault__FcmServiceAccountSecretName"));
        Assert.Equal($"https://{vault}.vault.azure.net/", site.Setting("KeyVault__Uri"));
        // The template writes a secret under the very name the setting reads.
        foreach (var (parameter, key) in new[] { ("apnsAuthKeyP8", "apnsKey"), ("fcmServiceAccountJson", "fcmServiceAccount"),
                     ("registryKeyEncryptionKey", "keyEncryptionKey"), ("routingConversationHashKey", "conversationHashKey") })
        {
            var secret = Assert.Single(template.With(parameter, JsonValue.Create("x")).DeployedOfType("Microsoft.KeyVault/vaults/secrets"));
            Assert.Equal(secretNames[key], secret.LeafName);
        }
    }

    private static JsonObject HostJson() => BuiltApp.Read("host.json");

    /// <summary>
    /// The worker's services as Program.cs composes them, configured as App Service would configure it: the template's
    /// app settings (Key Vault references resolved to fresh keys, as the platform resolves them) over host.json.
    /// </summary>
    private static ServiceProvider ComposeWorker(FunctionAppSite site)
    {
        var hostJson = new ConfigurationBuilder().AddHostJson(Path.Combine(BuiltApp.Folder, "host.json")).Build().AsEnumerable()
            .Where(s => s.Key.StartsWith(HostJsonConfiguration.SectionName + ":", StringComparison.OrdinalIgnoreCase));
        var settings = site.AsConfiguration().ToDictionary(s => s.Key, s => s.Value!.StartsWith("@Microsoft.KeyVault(", StringComparison.Ordinal)
            ? (string?)Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))
            : s.Value, StringComparer.OrdinalIgnoreCase);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(hostJson).AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddPushRelay(configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private static List<string> StartupFailures(ServiceProvider provider)
    {
        try
        {
            provider.GetRequiredService<IStartupValidator>().Validate();
            return [];
        }
        catch (OptionsValidationException ex)
        {
            return [.. ex.Failures];
        }
        catch (AggregateException ex)
        {
            return [.. ex.InnerExceptions.SelectMany(e => e is OptionsValidationException options ? options.Failures : [e.Message])];
        }
    }
}
