using System.Security.Cryptography;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Push.Core.Events;
using Push.Core.Ledger;
using Push.Core.Registry;
using Azure.Messaging.ServiceBus;
using Push.Core.ServiceBus;
using Push.Testing.ServiceBus;
using Push.Sandbox;
using Push.Testing;

namespace Push.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Everything an end-to-end test runs against: Azurite and the provider sandbox (both real servers on
/// free loopback ports), and the relay as it runs locally — the Function App's build output under the local
/// Functions host, which runs the real isolated worker — configured only through the public settings an operator
/// would use, with TLS trust through SSL_CERT_FILE.
/// </summary>
public class RelayEnvironment : IAsyncLifetime
{
    /// <summary>The app the sandbox generated credentials for (its default bundle id).</summary>
    public const string BundleId = "com.example.pushrelay";
    public const int MaxDequeueCount = 3;

    private readonly string _stateDirectory = Path.Combine(Path.GetTempPath(), "push-e2e-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly string _kek = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly string _conversationKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private AzuriteServer? _azurite;
    private ServiceBusEmulator? _serviceBus;
    private ServiceBusClient? _serviceBusClient;
    private ServiceBusSenders? _serviceBusSenders;

    /// <summary>
    /// True: the events travel on Service Bus queues (the Service Bus emulator, driven by the relay with the real SDK)
    /// instead of Storage queues; registry, ledger and tokens stay on Azurite, as in Azure.
    /// </summary>
    protected virtual bool UsesServiceBus => false;

    /// <summary>The Service Bus emulator, when <see cref="UsesServiceBus"/>.</summary>
    public ServiceBusEmulator ServiceBus => _serviceBus ?? throw new InvalidOperationException("this environment uses Storage queues");

    /// <summary>How long a Service Bus lock lasts here: a killed worker's messages come back after it.</summary>
    public static readonly TimeSpan ServiceBusLockDuration = TimeSpan.FromSeconds(5);
    private SandboxServer? _sandbox;
    private ServiceProvider? _storage;

    public AzuriteServer Azurite => _azurite ?? throw new InvalidOperationException("not started");
    public SandboxServer Sandbox => _sandbox ?? throw new InvalidOperationException("not started");
    public IDeviceRegistry Registry => _storage!.GetRequiredService<IDeviceRegistry>();
    public IDeliveryLedger Ledger => _storage!.GetRequiredService<IDeliveryLedger>();
    public RelayProcess? Relay { get; private set; }

    public virtual async Task InitializeAsync()
    {
        Directory.CreateDirectory(_stateDirectory);
        _azurite = await AzuriteServer.StartAsync();
        if (UsesServiceBus)
        {
            _serviceBus = await ServiceBusEmulator.StartNewAsync();
            foreach (var queue in new[] { "push-calls", "push-messages", "push-devices" })
            {
                _serviceBus.CreateQueue(queue, new QueueOptions
                {
                    LockDuration = ServiceBusLockDuration,
                    MaxDeliveryCount = MaxDequeueCount,
                    DuplicateDetectionWindow = TimeSpan.FromMinutes(10),
                });
            }
            _serviceBusClient = new ServiceBusClient(_serviceBus.ConnectionString);
            _serviceBusSenders = new ServiceBusSenders(_serviceBusClient);
        }
        _sandbox = await SandboxServer.StartAsync(new SandboxOptions
        {
            StateDirectory = Path.Combine(_stateDirectory, "sandbox"),
            GenerateCredentials = true,
        });
        // The test reads the registry and ledger with the relay's own settings (environment names use "__").
        if (!Sandbox.GeneratedCredentials!.BundleIds.Contains(BundleId))
        {
            throw new InvalidOperationException($"the sandbox's generated credentials are not for {BundleId}");
        }
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(Settings().ToDictionary(kv => kv.Key.Replace("__", ":", StringComparison.Ordinal), kv => kv.Value))
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton(new TableServiceClient(_azurite.ConnectionString));
        services.AddSingleton<Microsoft.Extensions.Logging.ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>));
        services.AddDeviceRegistry(configuration);
        services.AddDeliveryLedger(configuration);
        _storage = services.BuildServiceProvider();
        BeforeRelayStarts();
        Relay = await StartRelayAsync();
    }

    /// <summary>For an environment whose relay must meet the sandbox in some state from its very start.</summary>
    protected virtual void BeforeRelayStarts()
    {
    }

    /// <summary>
    /// The relay's settings as environment variables: the names README documents, nothing test-only. An environment of
    /// its own changes some (a test that needs a slower provider timeout, a timer that runs): override and edit the base's.
    /// </summary>
    public virtual Dictionary<string, string?> Settings()

    {
        var credentials = Sandbox.GeneratedCredentials ?? throw new InvalidOperationException("sandbox generated no credentials");
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = Azurite.ConnectionString,
            ["Apns__Endpoint"] = Sandbox.ApnsEndpoint.ToString(),
            ["Apns__TeamId"] = credentials.TeamId,
            ["Apns__KeyId"] = credentials.KeyId,
            ["Apns__PrivateKeyPath"] = credentials.ApnsKeyPath,
            ["Apns__RequestTimeout"] = "00:00:02",
            ["Fcm__Endpoint"] = Sandbox.FcmEndpoint.ToString(),
            ["Fcm__ServiceAccountPath"] = credentials.ServiceAccountPath,
            ["Fcm__RequestTimeout"] = "00:00:02",
            ["Registry__KeyEncryptionKey"] = _kek,
            ["Registry__KeyEncryptionKeyId"] = "e2e",
            ["Registry__CacheDuration"] = "00:00:00",
            ["Routing__ConversationHashKey"] = _conversationKey,
            ["Delivery__RetryBaseDelay"] = "00:00:00.200",
            ["Delivery__RetryMaxDelay"] = "00:00:01",
            // The retry budget is time: long enough for a short fault, short enough for a test to see it end.
            ["Delivery__RetryBudget"] = "00:00:04",
            // The app settings the trigger attributes name (%Queues:Calls%, %Timers:…%), as scripts/dev and infra set them.
            ["Queues__Calls"] = "push-calls",
            ["Queues__Messages"] = "push-messages",
            ["Queues__Devices"] = "push-devices",
            ["Timers__RefreshProviderTokens"] = "0 */5 * * * *",
            // Dead-letter triage would archive the poison entries these tests look for: run it once a year here
            // (its own tests drive it directly).
            ["Timers__ProcessDeadLetters"] = "0 0 0 1 1 *",
            // Key re-wrap has nothing to do with a single KEK; a test that rotates sets its own schedule.
            ["Timers__RewrapDeviceKeys"] = "0 0 0 1 1 *",
            ["AzureFunctionsJobHost__extensions__queues__maxDequeueCount"] = MaxDequeueCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["AzureFunctionsJobHost__extensions__queues__maxPollingInterval"] = "00:00:00.250",
            ["AzureFunctionsJobHost__extensions__queues__visibilityTimeout"] = "00:00:01",
            // The local host's own settings: a killed host's messages come back when their lease runs out (10 minutes
            // by default, as in Azure), and a stop waits for running invocations.
            ["LocalFunctionsHost__QueueVisibilityLease"] = "00:00:05",
            ["LocalFunctionsHost__ShutdownGracePeriod"] = "00:00:05",
            ["SSL_CERT_FILE"] = Sandbox.TrustBundlePath,
            ["DOTNET_ENVIRONMENT"] = "Development",
        };
        if (_serviceBus is not null)
        {
            settings["Queues__Transport"] = "ServiceBus";
            settings["AzureWebJobsServiceBus"] = _serviceBus.ConnectionString;
            settings["AzureFunctionsJobHost__extensions__serviceBus__maxConcurrentCalls"] = "16";
            // The events arrive on Service Bus: the Storage-queue functions have nothing to do, as an operator sets it.
            settings["AzureWebJobs.DeliverCall.Disabled"] = "true";
            settings["AzureWebJobs.DeliverMessage.Disabled"] = "true";
            settings["AzureWebJobs.ManageDevices.Disabled"] = "true";
        }
        return settings;
    }

    public async Task<RelayProcess> StartRelayAsync() => await RelayProcess.StartAsync(Settings());

    public async Task RestartRelayAsync(bool kill)
    {
        if (Relay is not null)
        {
            if (kill) Relay.Kill();
            await Relay.DisposeAsync();
        }
        Relay = await StartRelayAsync();
    }

    public QueueClient Queue(string name) => new(Azurite.ConnectionString, name);

    /// <summary>Publishes an event the way a producer does: CloudEvent JSON, base64 (host.json's messageEncoding).</summary>
    public async Task<string> PublishAsync(string queue, byte[] eventJson)
    {
        if (_serviceBusSenders is not null)
        {
            // As a producer does on Service Bus: the tracking id (or a fresh id for a malformed event) as the message id.
            var id = PushEventParser.Parse(eventJson) is { IsSuccess: true } parsed ? parsed.Event.TrackingId : Guid.NewGuid().ToString();
            await _serviceBusSenders.PublishAsync(queue, eventJson, id, CancellationToken.None);
            return queue;
        }
        var client = Queue(queue);
        await client.CreateIfNotExistsAsync();
        await client.SendMessageAsync(Convert.ToBase64String(eventJson));
        return queue;
    }

    public async Task<PushEvent> PublishAsync(PushEvent evt)
    {
        var queue = evt.Type switch
        {
            PushEventTypes.CallIncoming or PushEventTypes.CallEnded => "push-calls",
            PushEventTypes.ImMessage => "push-messages",
            _ => "push-devices",
        };
        await PublishAsync(queue, PushEventWriter.Serialize(evt));
        return evt;
    }

    /// <summary>Registers a device through the devices queue (as a client backend would) and waits until the registry has it.</summary>
    public async Task<TestDevice> RegisterAsync(TestDevice device)
    {
        var evt = new PushEventWriter("/e2e").Create(device.UserId, device.RegisteredData());
        await PublishAsync(evt);
        await Eventually.TrueAsync(async () =>
            (await Registry.ListAsync(device.UserId, default)).Any(d => d.DeviceId == device.DeviceId && d.KeyId == device.KeyId),
            $"device {device.DeviceId} registered", TimeSpan.FromSeconds(30));
        return device;
    }

    /// <summary>Waits until every one of the event's devices has a final outcome, and returns the ledger rows.</summary>
    public async Task<IReadOnlyDictionary<string, LedgerEntry>> WaitForOutcomesAsync(string trackingId, int deviceCount, TimeSpan? timeout = null)
    {
        IReadOnlyDictionary<string, LedgerEntry> entries = new Dictionary<string, LedgerEntry>();
        await Eventually.TrueAsync(async () =>
        {
            entries = await Ledger.GetAsync(trackingId, default);
            return entries.Count >= deviceCount && entries.Values.All(e => e.Status.IsFinal());
        }, $"final outcomes for {trackingId}", timeout ?? TimeSpan.FromSeconds(30));
        return entries;
    }

    /// <summary>
    /// Waits until the ledger row of <paramref name="deviceId"/> for the event has <paramref name="status"/> (also when an
    /// earlier final row is to be replaced, as by a replay) and returns it.
    /// </summary>
    public async Task<LedgerEntry> WaitForStatusAsync(string trackingId, string deviceId, DeliveryStatus status, TimeSpan? timeout = null)
    {
        LedgerEntry? row = null;
        await Eventually.TrueAsync(async () =>
            (await Ledger.GetAsync(trackingId, default)).TryGetValue(deviceId, out row) && row.Status == status,
            $"{deviceId} {status} for {trackingId}", timeout ?? TimeSpan.FromSeconds(30));
        return row!;
    }

    public virtual async Task DisposeAsync()
    {
        if (Relay is not null)
        {
            await Relay.DisposeAsync();
            // Kept for diagnosing a failed run (the relay logs no personal data or secrets).
            await File.WriteAllTextAsync(Path.Combine(Path.GetTempPath(), "push-e2e-relay-last.log"), Relay.Output);
        }
        if (_serviceBusSenders is not null) await _serviceBusSenders.DisposeAsync();
        if (_serviceBusClient is not null) await _serviceBusClient.DisposeAsync();
        if (_serviceBus is not null) await _serviceBus.DisposeAsync();
        if (_sandbox is not null) await _sandbox.DisposeAsync();
        if (_azurite is not null) await _azurite.DisposeAsync();
        _storage?.Dispose();
        try { Directory.Delete(_stateDirectory, recursive: true); } catch (IOException) { }
    }
}
