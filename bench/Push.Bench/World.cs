using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Push.Core.Events;
using Push.Core.Registry;
using Push.Sandbox;
using Push.Testing;

namespace Push.Bench;

/// <summary>
/// What every pipeline phase shares: Azurite (tables, blobs, Storage queues), a provider sandbox in the harness process
/// (it records each push with its arrival time on the harness's clock), the registry filled with the IM users and the
/// callees before any clock starts, and the relay's settings (the names README documents, nothing bench-only).
/// </summary>
internal sealed class World : IAsyncDisposable
{
    public const string MessagesQueue = "push-messages";
    public const string CallsQueue = "push-calls";
    public const string DevicesQueue = "push-devices";
    /// <summary>Each IM user has an iPhone and a Pixel: every IM event is two pushes.</summary>
    public const int ImUsers = 4;
    public const int PushesPerEvent = 2;
    public const int CallWarmup = 5;
    private static readonly PushEventWriter Writer = new("/bench");

    private ServiceProvider? _storage;
    private readonly string _kek = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly string _conversationKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private World(string repo, AzuriteServer azurite, SandboxServer sandbox)
    {
        Repo = repo;
        Azurite = azurite;
        Sandbox = sandbox;
    }

    public string Repo { get; }
    public AzuriteServer Azurite { get; }
    public SandboxServer Sandbox { get; }
    public string FunctionApp => Path.Combine(Repo, "functions", "Push.Functions", "bin", "Release", "net10.0");
    /// <summary>What a deployment runs: bench/run's <c>dotnet publish</c> of Push.Functions (ReadyToRun for linux-x64).</summary>
    public string PublishedFunctionApp => Path.Combine(Repo, "functions", "Push.Functions", "bin", "Release", "net10.0", "linux-x64", "publish");
    public string PassThroughApp => Path.Combine(Repo, "bench", "Push.Bench.PassThrough", "bin", "Release", "net10.0");

    /// <summary>IM users, sets of <see cref="ImUsers"/>, and each set's device tokens (to tell whose pushes arrived).</summary>
    public List<(List<string> Users, HashSet<string> Tokens)> ImSets { get; } = [];

    public List<(string User, string PushToken, string VoipToken)> Callees { get; } = [];

    public static async Task<World> StartAsync(string repo, string work, int callees)
    {
        var azurite = await AzuriteServer.StartAsync();
        var sandbox = await SandboxServer.StartAsync(new SandboxOptions
        {
            StateDirectory = Path.Combine(work, "pipeline-sandbox"),
            GenerateCredentials = true,
            // Several hosts start in one run, each minting its own provider token: not a client that updates too often.
            EnforceTokenUpdateRate = false,
        });
        var services = new ServiceCollection();
        services.AddSingleton(new TableServiceClient(azurite.ConnectionString));
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        // Devices go straight into the registry with the relay's own settings (same KEK), before any clock starts.
        var world = new World(repo, azurite, sandbox);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(world.Settings().ToDictionary(kv => kv.Key.Replace("__", ":", StringComparison.Ordinal), kv => kv.Value))
            .Build();
        services.AddDeviceRegistry(configuration);
        world._storage = services.BuildServiceProvider();
        await world.RegisterAsync(callees);
        foreach (var q in new[] { MessagesQueue, CallsQueue, DevicesQueue }) await world.Queue(q).CreateIfNotExistsAsync();
        Console.WriteLine($"pipeline: Azurite queue port {azurite.QueuePort}, sandbox APNs {sandbox.ApnsEndpoint}, FCM {sandbox.FcmEndpoint}");
        return world;
    }

    private async Task RegisterAsync(int callees)
    {
        var registry = _storage!.GetRequiredService<IDeviceRegistry>();
        var bundleId = Sandbox.GeneratedCredentials!.BundleIds[0];
        // Two sets of IM users: the drains use set 0, the counting phase set 1 (so its pushes are told apart from any late one).
        for (var set = 0; set < 2; set++)
        {
            var users = new List<string>();
            var tokens = new HashSet<string>(StringComparer.Ordinal);
            for (var u = 0; u < ImUsers; u++)
            {
                var user = $"im-user-{set}-{u}";
                users.Add(user);
                tokens.Add((await RegisterAsync(registry, user, DevicePlatform.Ios, bundleId)).PushToken);
                tokens.Add((await RegisterAsync(registry, user, DevicePlatform.Android, bundleId)).PushToken);
            }
            ImSets.Add((users, tokens));
        }
        for (var c = 0; c < callees; c++)
        {
            var user = "call-user-" + c.ToString(CultureInfo.InvariantCulture);
            var (push, voip) = await RegisterAsync(registry, user, DevicePlatform.Ios, bundleId);
            Callees.Add((user, push, voip!));
        }
    }

    /// <summary>The relay's settings as environment variables, pointing at <paramref name="storage"/> (Azurite or the counter).</summary>
    public Dictionary<string, string?> Settings(string? storage = null)
    {
        var credentials = Sandbox.GeneratedCredentials!;
        return new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = storage ?? Azurite.ConnectionString,
            ["Apns__Endpoint"] = Sandbox.ApnsEndpoint.ToString(),
            ["Apns__TeamId"] = credentials.TeamId,
            ["Apns__KeyId"] = credentials.KeyId,
            ["Apns__PrivateKeyPath"] = credentials.ApnsKeyPath,
            ["Fcm__Endpoint"] = Sandbox.FcmEndpoint.ToString(),
            ["Fcm__ServiceAccountPath"] = credentials.ServiceAccountPath,
            ["Registry__KeyEncryptionKey"] = _kek,
            ["Registry__KeyEncryptionKeyId"] = "bench",
            ["Routing__ConversationHashKey"] = _conversationKey,
            ["Queues__Calls"] = CallsQueue,
            ["Queues__Messages"] = MessagesQueue,
            ["Queues__Devices"] = DevicesQueue,
            ["Timers__RefreshProviderTokens"] = "0 */5 * * * *",
            // Dead-letter triage is not what is measured: once a year.
            ["Timers__ProcessDeadLetters"] = "0 0 0 1 1 *",
            ["Timers__RewrapDeviceKeys"] = "0 0 0 1 1 *",
            ["LocalFunctionsHost__ShutdownGracePeriod"] = "00:00:05",
            // When Azurite stalls (its cleanup timer can freeze it for many seconds), a receive the SDK timed out and
            // retried may still have been served: its messages stay leased, unprocessed, for the lease (10 minutes by
            // default, as the WebJobs listener holds them). 30 s lets such a batch come back within a drain.
            ["LocalFunctionsHost__QueueVisibilityLease"] = "00:00:30",
            ["SSL_CERT_FILE"] = Sandbox.TrustBundlePath,
        };
    }

    public QueueClient Queue(string name, string? connectionString = null) => new(connectionString ?? Azurite.ConnectionString, name);

    private static async Task<(string PushToken, string? VoipToken)> RegisterAsync(IDeviceRegistry registry, string user, DevicePlatform platform, string bundleId)
    {
        var ios = platform == DevicePlatform.Ios;
        var push = ios ? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)) : "fcm:" + Convert.ToHexString(RandomNumberGenerator.GetBytes(60));
        var voip = ios ? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)) : null;
        var id = Guid.NewGuid().ToString("N")[..10];
        await registry.RegisterAsync(new DeviceRegistration(user, (ios ? "iphone-" : "pixel-") + id, platform, bundleId, push, voip,
            PushEnvironment.Production, null, "k-" + id, RandomNumberGenerator.GetBytes(32), DateTimeOffset.UtcNow), CancellationToken.None);
        return (push, voip);
    }

    public static PushEvent ImEvent(string user, int i)
    {
        var data = new ImMessageData("conv-" + (i % 50).ToString(CultureInfo.InvariantCulture), "msg-" + Guid.NewGuid().ToString("N"),
            new ImSender("Alice Example", "alice@example.com"),
            "Are we still on for the review at three? I have the slides ready and a few questions on the rollout plan.",
            i % 9 + 1);
        return Writer.Create(user, data);
    }

    public static PushEvent CallEvent(string user) =>
        Writer.Create(user, new CallIncomingData("call-" + Guid.NewGuid().ToString("N"), new Party("Bob Example", "+15550100"), CallMedia.Audio));

    /// <summary>A Storage-queue message as producers send it: the event's JSON, base64 (host.json messageEncoding).</summary>
    public static string QueueText(PushEvent evt) => Convert.ToBase64String(PushEventWriter.Serialize(evt));

    /// <summary>Queues <paramref name="count"/> IM events for <paramref name="set"/>'s users on a Storage queue, 16 sends in flight.</summary>
    public Task<double> FillAsync(string queue, int set, int count)
    {
        var client = Queue(queue);
        return FillAsync(evt => client.SendMessageAsync(QueueText(evt)), ImSets[set].Users, count);
    }

    /// <summary>Sends <paramref name="count"/> IM events round-robin over the users, 16 sends in flight; returns seconds taken.</summary>
    public static async Task<double> FillAsync(Func<PushEvent, Task> send, List<string> users, int count)
    {
        var sw = Stopwatch.StartNew();
        var next = -1;
        async Task Worker()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                await send(ImEvent(users[i % users.Count], i)).ConfigureAwait(false);
            }
        }
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Worker()));
        return sw.Elapsed.TotalSeconds;
    }

    /// <summary>Arrival times (sandbox clock) of the pushes to <paramref name="tokens"/>.</summary>
    public List<DateTimeOffset> Arrivals(HashSet<string> tokens) =>
        [.. Sandbox.ApnsPushes.Where(p => tokens.Contains(p.DeviceToken)).Select(p => p.ReceivedAt)
            .Concat(Sandbox.FcmMessages.Where(m => tokens.Contains(m.Token)).Select(m => m.ReceivedAt))];

    public async ValueTask DisposeAsync()
    {
        await Sandbox.DisposeAsync();
        await Azurite.DisposeAsync();
        if (_storage is not null) await _storage.DisposeAsync();
    }
}
