using System.Security.Cryptography;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Push.Core.Events;
using Push.Core.Ledger;
using Push.Core.Registry;
using Push.Hosting.ServiceBus;
using Push.Sandbox;
using Push.Testing;

namespace Push.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Everything an end-to-end test runs against: Azurite and the provider sandbox (both real servers on
/// free loopback ports), and the relay's own function host started as a child process, configured
/// only through the public settings an operator would use, with TLS trust through SSL_CERT_FILE.
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
    private RabbitMqFixture? _rabbit;
    private ServiceBusEventPublisher? _amqpPublisher;

    /// <summary>
    /// True: the events travel over AMQP 1.0 (the Service Bus transport) through a real RabbitMQ instead of
    /// Storage queues; registry, ledger and tokens stay on Azurite, as in Azure.
    /// </summary>
    protected virtual bool UsesAmqp => false;
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
        if (UsesAmqp)
        {
            _rabbit = new RabbitMqFixture();
            await _rabbit.InitializeAsync();
            foreach (var queue in new[] { "push-calls", "push-messages", "push-devices" })
            {
                await _rabbit.DeclareQueueAsync(queue);
            }
            _amqpPublisher = new ServiceBusEventPublisher(ServiceBusConnectionString.Parse(_rabbit.ConnectionString, "ServiceBusConnection"),
                ServiceBusAuthMode.SaslPlain, ServiceBusBroker.RabbitMq);
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

    /// <summary>For an environment that needs other values for some of the settings below.</summary>
    protected virtual void Override(Dictionary<string, string?> settings)
    {
    }

    /// <summary>The relay's settings as environment variables: the names README documents, nothing test-only.</summary>
    public Dictionary<string, string?> Settings()
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
            ["AzureFunctionsJobHost__extensions__queues__maxDequeueCount"] = MaxDequeueCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["AzureFunctionsJobHost__extensions__queues__maxPollingInterval"] = "00:00:00.250",
            ["AzureFunctionsJobHost__shutdownTimeout"] = "00:00:05",
            // A killed host's messages come back when their lease runs out: keep that short here.
            ["AzureFunctionsJobHost__extensions__queues__leaseDuration"] = "00:00:05",
            ["AzureFunctionsJobHost__extensions__queues__queueOverrides__push-calls__leaseDuration"] = "00:00:05",
            // Dead-letter triage would archive the poison entries these tests look for: run it once a year here
            // (its own tests drive it directly).
            ["DeadLetters__Schedule"] = "0 0 0 1 1 *",
            ["SSL_CERT_FILE"] = Sandbox.TrustBundlePath,
            ["DOTNET_ENVIRONMENT"] = "Development",
        };
        if (_rabbit is not null)
        {
            settings["Queues__Transport"] = "ServiceBus";
            foreach (var (key, value) in _rabbit.Settings())
            {
                settings[key.Replace(":", "__", StringComparison.Ordinal)] = value;
            }
            settings["AzureFunctionsJobHost__extensions__serviceBus__maxDeliveryCount"] = MaxDequeueCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings["AzureFunctionsJobHost__extensions__serviceBus__maxConcurrentCalls"] = "16";
        }
        Override(settings);
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
        if (_amqpPublisher is not null)
        {
            // As a producer does on Service Bus: the tracking id (or a fresh id for a malformed event) as the message id.
            var id = PushEventParser.Parse(eventJson) is { IsSuccess: true } parsed ? parsed.Event.TrackingId : Guid.NewGuid().ToString();
            await _amqpPublisher.SendAsync(queue, eventJson, id);
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
            TimeSpan.FromSeconds(30), $"device {device.DeviceId} registered");
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
        }, timeout ?? TimeSpan.FromSeconds(30), $"final outcomes for {trackingId}");
        return entries;
    }

    public virtual async Task DisposeAsync()
    {
        if (Relay is not null)
        {
            await Relay.DisposeAsync();
            // Kept for diagnosing a failed run (the relay logs no personal data or secrets).
            await File.WriteAllTextAsync(Path.Combine(Path.GetTempPath(), "push-e2e-relay-last.log"), Relay.Output);
        }
        if (_amqpPublisher is not null) await _amqpPublisher.DisposeAsync();
        if (_rabbit is not null) await _rabbit.DisposeAsync();
        if (_sandbox is not null) await _sandbox.DisposeAsync();
        if (_azurite is not null) await _azurite.DisposeAsync();
        _storage?.Dispose();
        try { Directory.Delete(_stateDirectory, recursive: true); } catch (IOException) { }
    }
}
