using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Push.Core.Delivery;
using Push.Core.Events;
using Push.Core.Ledger;
using Push.Core.Queues;
using Push.Core.Registry;
using Push.Core.Routing;
using Push.Core.Storage;
using Push.Core.StorageQueues;
using Push.Functions.Composition;
using Push.Functions.QueuedEvents;
using Push.Providers.Results;
using Push.Testing;
using Xunit.Abstractions;

namespace Push.Functions.Tests;

/// <summary>
/// How many Storage requests the relay makes per delivered event, counted on the wire of its own Azure clients (the
/// worker's composition, with clients built here so a counting policy can sit in their pipelines) against real Azurite.
/// The providers are a fake at the edge: only the relay's storage traffic is measured. The Functions host's own
/// receive (1/32 per message) and delete (1) are not in these counts: the handler is called as the host calls it.
/// </summary>
/// <remarks>
/// The bounds are the counts this code achieves, so that a change that adds a round trip to the hot path fails here
/// rather than only in the bench.
/// </remarks>
public sealed class StorageRoundTripTests : IClassFixture<AzuriteFixture>, IDisposable
{
    private const string User = "alice";
    private const string IosToken = "a3f1c2d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9a";
    private const string FcmToken = "dGVzdC1mY20tdG9rZW4:APA91bHPRgkF3JUikC4ENAHEeMrd41Zxv3hVZjC9KtT8OvPVGJ-hQMRKRrZuJAEcl7B338qju59zJMjw2DELjzEvxwYv7hH5Ynpc1ODQ0aT4U4OFEeco8ohsN5PjL1iC2dNtk2BAokeMCg2ZXKqpc8FXKmhX94kIxQ";

    private readonly AzuriteFixture _azurite;
    private readonly RequestCounter _requests = new();
    private readonly CountingDispatcher _dispatcher = new();
    private readonly string _devicesTable = AzuriteFixture.UniqueName("devices");
    private readonly string _ledgerTable = AzuriteFixture.UniqueName("ledger");
    private readonly string _deadLetterTable = AzuriteFixture.UniqueName("deadletters");
    private readonly string _messagesQueue = AzuriteFixture.UniqueName("messages");
    private readonly string _devicesQueue = AzuriteFixture.UniqueName("devices");
    private readonly ServiceProvider _services;
    private readonly PushEventWriter _writer = new("/tests/round-trips");

    private readonly ITestOutputHelper _output;

    public StorageRoundTripTests(AzuriteFixture azurite, ITestOutputHelper output)
    {
        _azurite = azurite;
        _output = output;
        _services = Build();
    }

    public void Dispose() => _services.Dispose();

    private ServiceProvider Build()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = _azurite.ConnectionString,
            ["Registry:DevicesTable"] = _devicesTable,
            ["Registry:KeyEncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Registry:KeyEncryptionKeyId"] = "test",
            ["Ledger:Table"] = _ledgerTable,
            ["DeadLetters:ArchiveTable"] = _deadLetterTable,
            ["Queues:Messages"] = _messagesQueue,
            ["Queues:Devices"] = _devicesQueue,
            ["Routing:ConversationHashKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            // A retry copy visible again at once, so a test can receive it without waiting out a real back-off.
            ["Delivery:RetryBaseDelay"] = "00:00:00.010",
            ["Delivery:RetryMaxDelay"] = "00:00:00.010",
        }).Build();
        var services = new ServiceCollection().AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddPushRelay(configuration);
        // The same clients the worker builds, each with the counter in its pipeline (per retry: every request on the wire).
        var tableOptions = new TableClientOptions();
        tableOptions.AddPolicy(_requests, HttpPipelinePosition.PerRetry);
        var queueOptions = StorageClients.QueueOptions();
        queueOptions.AddPolicy(_requests, HttpPipelinePosition.PerRetry);
        var blobOptions = new BlobClientOptions();
        blobOptions.AddPolicy(_requests, HttpPipelinePosition.PerRetry);
        services.AddSingleton(new TableServiceClient(_azurite.ConnectionString, tableOptions));
        services.AddSingleton(new QueueServiceClient(_azurite.ConnectionString, queueOptions));
        services.AddSingleton(new BlobServiceClient(_azurite.ConnectionString, blobOptions));
        services.AddSingleton<IPushDispatcher>(_dispatcher);
        return services.BuildServiceProvider();
    }

    private StorageQueueEventHandler Handler => _services.GetRequiredService<StorageQueueEventHandler>();

    private async Task RegisterTwoDevicesAsync()
    {
        var key = new DeviceEncryptionKey("k1", RandomNumberGenerator.GetBytes(32));
        await HandleAsync(_writer.Write(User, new DeviceRegisteredData("iphone", DevicePlatform.Ios, "com.example.phone", IosToken, null,
            PushEnvironment.Production, null, key)), EventRoute.Devices);
        await HandleAsync(_writer.Write(User, new DeviceRegisteredData("pixel", DevicePlatform.Android, "com.example.phone", FcmToken, null,
            PushEnvironment.Production, null, key)), EventRoute.Devices);
    }

    private PushEvent Message(int n) => _writer.Create(User,
        new ImMessageData("conversation-1", "message-" + n, new ImSender("Bob", "bob@example.com"), "hello " + n, n));

    /// <summary>A producer's message as the host hands it over: Storage's default time-to-live of 7 days.</summary>
    private Task HandleAsync(byte[] body, EventRoute route, long dequeueCount = 1)
    {
        var now = DateTimeOffset.UtcNow;
        return Handler.HandleAsync(new ReceivedQueueMessage(body, "msg-" + Guid.NewGuid().ToString("N")[..8], dequeueCount, now, now.AddDays(7)),
            route, CancellationToken.None);
    }

    [Fact]
    public async Task A_first_delivery_of_an_im_event_to_two_devices_costs_at_most_the_counted_storage_requests()
    {
        await RegisterTwoDevicesAsync();
        // The first event of a process creates the ledger table and finds the registration's cache entry gone.
        await HandleAsync(PushEventWriter.Serialize(Message(0)), EventRoute.Messages);
        _requests.Reset();

        const int events = 10;
        for (var n = 1; n <= events; n++)
        {
            await HandleAsync(PushEventWriter.Serialize(Message(n)), EventRoute.Messages);
        }

        var counts = _requests.Snapshot(Classify);
        _output.WriteLine($"{events} events: {Describe(counts)}");
        Assert.Equal(2 * (events + 1), _dispatcher.Pushes.Count); // every event reached both devices
        // Registry: served from the instance's cache (Registry:CacheDuration) for every event after the first.
        Assert.Equal(0, counts.GetValueOrDefault("registry"));
        // Ledger: both devices' rows in one transaction per event; no read where no earlier outcome can exist.
        Assert.Equal(events, counts.GetValueOrDefault("ledger transaction"));
        Assert.Equal(0, counts.GetValueOrDefault("ledger read"));
        Assert.Equal(0, counts.GetValueOrDefault("dead letters") + counts.GetValueOrDefault("queue"));
        Assert.True(_requests.Total <= events, $"{_requests.Total} requests for {events} events: {Describe(counts)}");
    }

    [Fact]
    public async Task A_redelivered_event_reads_the_ledger_and_pushes_no_device_again()
    {
        await RegisterTwoDevicesAsync();
        var evt = Message(1);
        await HandleAsync(PushEventWriter.Serialize(evt), EventRoute.Messages);
        Assert.Equal(2, _dispatcher.Pushes.Count);
        _requests.Reset();

        // The host crashed after the ledger rows were written and before it deleted the message: it comes back.
        await HandleAsync(PushEventWriter.Serialize(evt), EventRoute.Messages, dequeueCount: 2);

        Assert.Equal(2, _dispatcher.Pushes.Count);
        var counts = _requests.Snapshot(Classify);
        _output.WriteLine($"redelivery: {Describe(counts)}");
        Assert.Equal(1, counts.GetValueOrDefault("ledger read"));
        Assert.Equal(0, counts.GetValueOrDefault("ledger transaction") + counts.GetValueOrDefault("ledger write"));
        var ledger = await _services.GetRequiredService<IDeliveryLedger>().GetAsync(evt.TrackingId, CancellationToken.None);
        Assert.Equal(["iphone", "pixel"], ledger.Keys.Order(StringComparer.Ordinal));
        Assert.All(ledger.Values, e => Assert.Equal((DeliveryStatus.Delivered, 1), (e.Status, e.Attempts)));
    }

    [Fact]
    public async Task A_retry_copy_on_its_first_dequeue_reads_the_ledger_and_pushes_only_the_device_that_failed()
    {
        await RegisterTwoDevicesAsync();
        _dispatcher.FailOnce(FcmToken);
        var evt = Message(1);
        await HandleAsync(PushEventWriter.Serialize(evt), EventRoute.Messages);
        Assert.Equal(2, _dispatcher.Pushes.Count);

        // The settlement put a copy of the message back on the queue: received from Azurite as the host would, dequeued once.
        var queue = _services.GetRequiredService<QueueServiceClient>().GetQueueClient(_messagesQueue);
        Azure.Storage.Queues.Models.QueueMessage? copy = null;
        await Eventually.TrueAsync(async () =>
        {
            copy = (await queue.ReceiveMessagesAsync(1)).Value.SingleOrDefault();
            return copy is not null;
        }, "the retry copy");
        Assert.True(QueueMessageCodec.TryDecode(copy!.MessageText, QueueBodyEncoding.Base64, out var body));
        var received = new ReceivedQueueMessage(body.ToMemory(), copy.MessageId, copy.DequeueCount, copy.InsertedOn, copy.ExpiresOn);
        Assert.Equal(1, received.DequeueCount);
        Assert.True(StorageEventQueues.NeverExpires(copy.ExpiresOn!.Value), $"the copy expires on {copy.ExpiresOn:O}");
        Assert.False(received.IsFirstDelivery);
        _requests.Reset();

        await Handler.HandleAsync(received, EventRoute.Messages, CancellationToken.None);

        Assert.Equal(1, _requests.Snapshot(Classify).GetValueOrDefault("ledger read"));
        var pushes = _dispatcher.Pushes.ToList();
        Assert.Equal(3, pushes.Count);
        Assert.Equal(FcmToken, Assert.IsType<ComposedPush.Fcm>(pushes[2]).Message.Token); // the delivered iPhone was not pushed again
        var ledger = await _services.GetRequiredService<IDeliveryLedger>().GetAsync(evt.TrackingId, CancellationToken.None);
        Assert.Equal((DeliveryStatus.Delivered, 1), (ledger["iphone"].Status, ledger["iphone"].Attempts));
        Assert.Equal((DeliveryStatus.Delivered, 2), (ledger["pixel"].Status, ledger["pixel"].Attempts));
    }

    private static string Describe(IReadOnlyDictionary<string, int> counts) =>
        string.Join(", ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value}"));

    /// <summary>What a request was for, from its method and path (path-style Azurite: /account/resource…).</summary>
    private string Classify(string method, string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var resource = segments.Length > 1 ? segments[1] : "";
        if (resource is "Tables" || resource.StartsWith("Tables(", StringComparison.Ordinal)) return "table create";
        // Only the ledger submits entity group transactions.
        if (resource == "$batch") return "ledger transaction";
        if (resource.StartsWith(_ledgerTable, StringComparison.Ordinal)) return method == "GET" ? "ledger read" : "ledger write";
        if (resource.StartsWith(_devicesTable, StringComparison.Ordinal)) return "registry";
        if (resource.StartsWith(_deadLetterTable, StringComparison.Ordinal)) return "dead letters";
        return "queue";
    }

    /// <summary>Every request the clients send, as method and path.</summary>
    private sealed class RequestCounter : HttpPipelineSynchronousPolicy
    {
        private readonly ConcurrentQueue<(string Method, string Path)> _sent = new();

        public int Total => _sent.Count;

        public void Reset() => _sent.Clear();

        public IReadOnlyDictionary<string, int> Snapshot(Func<string, string, string> classify) =>
            _sent.GroupBy(r => classify(r.Method, r.Path)).ToDictionary(g => g.Key, g => g.Count());

        public override void OnSendingRequest(HttpMessage message) =>
            _sent.Enqueue((message.Request.Method.Method, message.Request.Uri.Path));
    }

    /// <summary>The providers' edge: every push accepted at once (but a token told to fail once), and remembered.</summary>
    private sealed class CountingDispatcher : IPushDispatcher
    {
        private readonly ConcurrentDictionary<string, bool> _failOnce = new(StringComparer.Ordinal);

        public ConcurrentQueue<ComposedPush> Pushes { get; } = new();

        public void FailOnce(string token) => _failOnce[token] = true;

        public Task<PushResult> SendAsync(ComposedPush push, CancellationToken cancellationToken)
        {
            Pushes.Enqueue(push);
            var token = push switch
            {
                ComposedPush.Apns apns => apns.Notification.DeviceToken,
                ComposedPush.Fcm fcm => fcm.Message.Token,
                _ => "",
            };
            return Task.FromResult<PushResult>(_failOnce.TryRemove(token, out _)
                ? PushResult.Rejected(PushFailureReason.ServiceUnavailable, 503, "unavailable", retryAfter: null)
                : PushResult.Accepted(Guid.NewGuid().ToString()));
        }
    }
}
