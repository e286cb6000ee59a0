using System.Security.Cryptography;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Push.Core.Delivery;
using Push.Core.Dispatch;
using Push.Core.ServiceBus;
using Push.Providers.Apns;
using Push.Functions.Composition;
using Push.Functions.DeliverCall;
using Push.Functions.DeliverMessage;
using Push.Functions.ManageDevices;
using Push.Functions.ProcessDeadLetters;
using Push.Functions.RewrapDeviceKeys;
using Push.Functions.QueuedEvents;
using Push.Functions.RefreshProviderTokens;
using Push.Sandbox;
using Push.Testing.ServiceBus;

namespace Push.Functions.Tests;

/// <summary>
/// The worker's composition with the settings an operator gives: every function class can be built from it, and the
/// options it validates at start accept a good configuration and name the key of a bad one.
/// </summary>
public sealed class CompositionTests : IAsyncLifetime
{
    private readonly string _state = Path.Combine(Path.GetTempPath(), "push-composition-" + Guid.NewGuid().ToString("N")[..8]);
    private SandboxServer? _sandbox;

    public async Task InitializeAsync() =>
        _sandbox = await SandboxServer.StartAsync(new SandboxOptions { StateDirectory = _state, GenerateCredentials = true });

    public async Task DisposeAsync()
    {
        if (_sandbox is not null) await _sandbox.DisposeAsync();
        try { Directory.Delete(_state, recursive: true); } catch (IOException) { }
    }

    private Dictionary<string, string?> Settings()
    {
        var credentials = _sandbox!.GeneratedCredentials!;
        return new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["Apns:Endpoint"] = _sandbox.ApnsEndpoint.ToString(),
            ["Apns:TeamId"] = credentials.TeamId,
            ["Apns:KeyId"] = credentials.KeyId,
            ["Apns:PrivateKeyPath"] = credentials.ApnsKeyPath,
            ["Fcm:Endpoint"] = _sandbox.FcmEndpoint.ToString(),
            ["Fcm:ServiceAccountPath"] = credentials.ServiceAccountPath,
            ["Registry:KeyEncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Registry:KeyEncryptionKeyId"] = "test",
            ["Routing:ConversationHashKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        };
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings, Action<IServiceCollection, IConfiguration>? before = null,
        Action<IServiceCollection>? after = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        before?.Invoke(services, configuration);
        services.AddPushRelay(configuration);
        after?.Invoke(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    [Fact]
    public void Every_function_class_is_built_from_the_composition_and_the_settings_validate()
    {
        using var provider = Build(Settings());
        provider.GetRequiredService<IStartupValidator>().Validate();

        Assert.NotNull(ActivatorUtilities.CreateInstance<DeliverCallFunction>(provider));
        Assert.NotNull(ActivatorUtilities.CreateInstance<DeliverMessageFunction>(provider));
        Assert.NotNull(ActivatorUtilities.CreateInstance<ManageDevicesFunction>(provider));
        Assert.NotNull(ActivatorUtilities.CreateInstance<RefreshProviderTokensFunction>(provider));
        Assert.NotNull(ActivatorUtilities.CreateInstance<ProcessDeadLettersFunction>(provider));
        Assert.NotNull(ActivatorUtilities.CreateInstance<RewrapDeviceKeysFunction>(provider));
    }

    [Theory]
    [InlineData("Queues:Calls", "Push_Calls", "Queues:Calls")]
    [InlineData("Queues:Messages", "push-calls", "three different queues")]
    [InlineData("Delivery:RetryBudget", "8.00:00:00", "Delivery:RetryBudget")]
    [InlineData("Routing:ConversationHashKey", "c2hvcnQ=", "Routing:ConversationHashKey")]
    public void A_bad_setting_fails_the_start_naming_it(string key, string value, string named)
    {
        var settings = Settings();
        settings[key] = value;
        using var provider = Build(settings);

        var failure = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(named, failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(value, failure.Message.Replace(named, "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_settings_of_several_sections_are_all_reported_at_once_by_key_and_none_by_value()
    {
        var settings = Settings();
        settings["Delivery:RetryBudget"] = "8.00:00:00";
        settings["Delivery:MaxParallelDevices"] = "257";
        settings["Routing:MessageTimeToLive"] = "29.00:00:00";
        settings["Ledger:Table"] = "no-dashes-here";
        settings["Registry:DevicesTable"] = "ab";
        settings["DeadLetters:ArchiveTable"] = "tables";
        using var provider = Build(settings);

        // One section's failures come as one OptionsValidationException; several sections' together, as the host reports them.
        var failure = Assert.Throws<AggregateException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(5, failure.InnerExceptions.Count);
        foreach (var key in new[] { "Delivery:RetryBudget", "Delivery:MaxParallelDevices", "Routing:MessageTimeToLive", "Ledger:Table", "Registry:DevicesTable", "DeadLetters:ArchiveTable" })
        {
            Assert.Contains(key, failure.Message, StringComparison.Ordinal);
        }
        foreach (var value in new[] { "8.00:00:00", "257", "29.00:00:00", "no-dashes-here", "'ab'", "'tables'" })
        {
            Assert.DoesNotContain(value, failure.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void With_a_non_apple_endpoint_and_no_development_endpoint_both_environments_use_the_configured_client()
    {
        using var provider = Build(Settings());

        var clients = provider.GetRequiredService<ApnsClientsByEnvironment>();

        Assert.Same(clients.Production, clients.Development);
    }

    [Fact]
    public void A_development_endpoint_other_than_the_configured_one_gets_its_own_client()
    {
        var settings = Settings();
        settings[ApnsEnvironments.DevelopmentEndpointSetting] = "https://127.0.0.1:1/";
        using var provider = Build(settings);

        var clients = provider.GetRequiredService<ApnsClientsByEnvironment>();

        Assert.NotSame(clients.Production, clients.Development);
        Assert.Same(provider.GetRequiredService<ApnsClient>(), clients.Production);
    }

    [Fact]
    public void Apples_production_endpoint_sends_development_devices_to_apples_development_endpoint()
    {
        var settings = Settings();
        settings["Apns:Endpoint"] = ApnsOptions.ProductionEndpoint.ToString();
        using var provider = Build(settings);

        var clients = provider.GetRequiredService<ApnsClientsByEnvironment>();

        Assert.NotSame(clients.Production, clients.Development);
    }

    [Fact]
    public void A_caller_registration_is_kept_whether_it_comes_before_or_after_the_composition()
    {
        var mine = new TestClock();
        using var before = Build(Settings(), (services, _) => services.AddSingleton<TimeProvider>(mine));
        using var after = Build(Settings(), after: services => services.AddSingleton<TimeProvider>(mine));

        Assert.Same(mine, before.GetRequiredService<TimeProvider>());
        Assert.Same(mine, after.GetRequiredService<TimeProvider>());
        Assert.Single(before.GetServices<TimeProvider>());
    }

    [Fact]
    public void Composing_twice_registers_each_validator_and_binding_once()
    {
        using var provider = Build(Settings(), after: services => services.AddPushRelay(new ConfigurationBuilder().AddInMemoryCollection(Settings()).Build()));

        Assert.Single(provider.GetServices<IValidateOptions<DeliveryOptions>>());
        Assert.Single(provider.GetServices<IConfigureOptions<DeliveryOptions>>());
        provider.GetRequiredService<IStartupValidator>().Validate();
    }

    private sealed class TestClock : TimeProvider;

    private Dictionary<string, string?> ServiceBusSettings(string fullyQualifiedNamespace)
    {
        var settings = Settings();
        settings["Queues:Transport"] = "ServiceBus";
        settings["AzureWebJobsServiceBus:fullyQualifiedNamespace"] = fullyQualifiedNamespace;
        return settings;
    }

    [Fact]
    public void Host_json_service_bus_values_out_of_range_are_all_reported_at_once_by_key()
    {
        var settings = ServiceBusSettings("ns.servicebus.windows.net");
        const string section = "AzureFunctionsJobHost:extensions:serviceBus";
        settings[$"{section}:maxConcurrentCalls"] = "0";
        settings[$"{section}:prefetchCount"] = "-1";
        settings[$"{section}:maxAutoLockRenewalDuration"] = "-00:00:01";
        settings[$"{section}:clientRetryOptions:tryTimeout"] = "00:00:00";
        settings[$"{section}:clientRetryOptions:maxRetries"] = "101";
        using var provider = Build(settings);

        var failure = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        foreach (var key in new[] { "maxConcurrentCalls", "prefetchCount", "maxAutoLockRenewalDuration", "clientRetryOptions:tryTimeout", "clientRetryOptions:maxRetries" })
        {
            Assert.Contains($"{section}:{key}", failure.Message, StringComparison.Ordinal);
        }
        Assert.Equal(5, failure.Failures.Count());
    }

    /// <summary>
    /// The worker as composed for an identity-based connection, its client built from the settings with a test credential
    /// (and, test-only, pointed at the emulator's TLS endpoint with its certificate pinned), running the check its
    /// processors make at start.
    /// </summary>
    private async Task<ServiceBusEmulator> StartIdentityBasedWorkerAsync(TestTokenCredential credential)
    {
        var emulator = await ServiceBusEmulator.StartNewAsync();
        foreach (var queue in new[] { "push-calls", "push-messages", "push-devices" }) emulator.CreateQueue(queue);
        var settings = ServiceBusSettings(emulator.FullyQualifiedNamespace);
        settings["AzureFunctionsJobHost:extensions:serviceBus:clientRetryOptions:maxRetries"] = "0"; // a refused token fails at once
        await using var provider = Build(settings, (services, configuration) =>
            services.AddSingleton(sp =>
            {
                var options = sp.GetRequiredService<IOptions<ServiceBusHostSettings>>().Value.ClientOptions();
                options.CustomEndpointAddress = emulator.TlsEndpoint;
                options.CertificateValidationCallback = emulator.ValidateServerCertificate;
                return ServiceBusConnectionSetting.CreateClient(configuration, options, credential);
            }));
        var processors = provider.GetServices<IHostedService>().OfType<ServiceBusQueueProcessors>().Single();
        try
        {
            await processors.StartingAsync(CancellationToken.None);
            await processors.StartAsync(CancellationToken.None);
            await emulator.WaitUntilAsync(() => emulator.PutTokens.Count(t => !t.Audience.EndsWith("/$management", StringComparison.Ordinal)) >= 3, "the three processors receiving");
            await processors.StopAsync(CancellationToken.None);
        }
        catch
        {
            await emulator.DisposeAsync();
            throw;
        }
        return emulator;
    }

    [Fact]
    public async Task An_identity_based_connection_puts_a_jwt_for_each_queue_of_the_namespace_over_tls()
    {
        var credential = new TestTokenCredential();

        await using var emulator = await StartIdentityBasedWorkerAsync(credential);

        Assert.NotEmpty(emulator.PutTokens);
        Assert.All(emulator.PutTokens, t => Assert.Equal(("jwt", true), (t.TokenType, t.Valid)));
        foreach (var queue in new[] { "push-calls", "push-messages", "push-devices" })
        {
            // The check at start (a peek, on the management link) and the processor's receive link.
            Assert.Contains(emulator.PutTokens, t => t.Audience == $"amqps://{emulator.FullyQualifiedNamespace}/{queue}/$management");
            Assert.Contains(emulator.PutTokens, t => t.Audience == $"amqps://{emulator.FullyQualifiedNamespace}/{queue}");
        }
        Assert.All(credential.RequestedScopes, scopes => Assert.Equal(["https://servicebus.azure.net/.default"], scopes));
        Assert.Contains(emulator.ManagementRequests, r => r is { Queue: "push-calls", Operation: "com.microsoft:peek-message" });
    }

    [Fact]
    public async Task A_token_the_namespace_refuses_stops_the_start_naming_the_queue_and_the_setting()
    {
        // An Entra ID token, but for Storage: what a credential asked for the wrong audience would put.
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => StartIdentityBasedWorkerAsync(new TestTokenCredential("https://storage.azure.com")));

        Assert.Contains("'push-calls'", failure.Message, StringComparison.Ordinal);
        Assert.Contains("credentials were refused", failure.Message, StringComparison.Ordinal);
        Assert.Contains("AzureWebJobsServiceBus", failure.Message, StringComparison.Ordinal);
    }
}
