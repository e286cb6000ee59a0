using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Push.Testing;

namespace LocalFunctionsHost.Tests.Infrastructure;

/// <summary>
/// One test's world on the shared Azurite: its own queue names (so tests never see each other's messages), the app
/// settings that name them, and the markers the sample app writes back.
/// </summary>
internal sealed class Scenario
{
    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNameCaseInsensitive = true };
    private readonly List<Marker> _markers = [];
    private readonly QueueServiceClient _queues;

    public Scenario(AzuriteFixture azurite)
    {
        ConnectionString = azurite.ConnectionString;
        _queues = new QueueServiceClient(ConnectionString);
        EchoQueue = AzuriteFixture.UniqueName("echo");
        StringQueue = AzuriteFixture.UniqueName("string");
        BytesQueue = AzuriteFixture.UniqueName("bytes");
        NoopQueue = AzuriteFixture.UniqueName("noop");
        MarkerQueue = AzuriteFixture.UniqueName("markers");
        HostId = AzuriteFixture.UniqueName("host");
        Markers = _queues.GetQueueClient(MarkerQueue);
        Markers.CreateIfNotExists();
    }

    public string ConnectionString { get; }
    public string EchoQueue { get; }
    public string StringQueue { get; }
    public string BytesQueue { get; }
    public string NoopQueue { get; }
    public string MarkerQueue { get; }
    public string HostId { get; }
    public QueueClient Markers { get; }

    /// <summary>The local.settings.json Values every test starts from: every queue named, the timers disabled.</summary>
    public Dictionary<string, string> Values() => new()
    {
        ["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated",
        ["AzureWebJobsStorage"] = ConnectionString,
        ["EchoQueue"] = EchoQueue,
        ["StringQueue"] = StringQueue,
        ["BytesQueue"] = BytesQueue,
        ["NoopQueue"] = NoopQueue,
        ["MarkerQueue"] = MarkerQueue,
        ["TickSchedule"] = "0 0 0 1 1 *",
        ["SampleGreeting"] = "hello from local.settings.json",
        ["AzureFunctionsWebHost:hostid"] = HostId,
        ["AzureWebJobs.Tick.Disabled"] = "true",
        ["AzureWebJobs.StartupTick.Disabled"] = "true",
    };

    /// <summary>A client that sends as the Functions default expects: the body base64-encoded.</summary>
    public QueueClient Queue(string name) =>
        new(ConnectionString, name, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

    /// <summary>A client that reads and writes message texts exactly as stored.</summary>
    public QueueClient RawQueue(string name) => _queues.GetQueueClient(name);

    public BlobContainerClient HostContainer() => new BlobServiceClient(ConnectionString).GetBlobContainerClient("azure-webjobs-hosts");

    /// <summary>Every marker so far, after draining the marker queue.</summary>
    public async Task<IReadOnlyList<Marker>> ReadMarkersAsync()
    {
        while (true)
        {
            QueueMessage[] batch = (await Markers.ReceiveMessagesAsync(32)).Value;
            if (batch.Length == 0) break;
            foreach (var message in batch)
            {
                _markers.Add(JsonSerializer.Deserialize<Marker>(message.Body.ToString(), JsonOptions)!);
                await Markers.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }
        }
        return _markers.ToList();
    }

    /// <summary>Waits until the markers satisfy <paramref name="done"/>; fails with what was seen (and the host's log) at the deadline.</summary>
    public Task<IReadOnlyList<Marker>> WaitForMarkersAsync(Func<IReadOnlyList<Marker>, bool> done, string what, HostProcess? host = null,
        TimeSpan? timeout = null) =>
        Eventually.ValueAsync(ReadMarkersAsync, done,
            markers => $"{what}. Markers:\n{string.Join("\n", markers)}\nHost output:\n{host?.Output}",
            timeout ?? TimeSpan.FromSeconds(60), () => host is { HasExited: true });

    /// <summary>Waits until <paramref name="queue"/> holds no message (visible or not).</summary>
    public static Task WaitUntilEmptyAsync(QueueClient queue, string what, HostProcess? host = null) =>
        Eventually.TrueAsync(async () => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0,
            $"{what}: {queue.Name} to hold no message.\n{host?.Output}", TimeSpan.FromSeconds(60));

    /// <summary>The texts in <paramref name="queue"/> (peeked, so left in place).</summary>
    public static async Task<List<string>> PeekTextsAsync(QueueClient queue)
    {
        if (!(await queue.ExistsAsync()).Value) return [];
        return (await queue.PeekMessagesAsync(32)).Value.Select(m => m.Body.ToString()).ToList();
    }
}
