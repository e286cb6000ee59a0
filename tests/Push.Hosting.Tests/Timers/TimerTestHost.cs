using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Push.Hosting.Tests.Infrastructure;
using Push.Hosting.Timers;
using Push.Testing;

namespace Push.Hosting.Tests.Timers;

/// <summary>
/// Builds Generic Hosts bound like Program.cs binds timers, all sharing one simulated clock, one Azurite and (per test)
/// one container; each test gets its own container and function name.
/// </summary>
public sealed class TimerTestHost
{
    public const string Timers = "AzureFunctionsJobHost:extensions:timers:";

    public TimerTestHost(AzuriteFixture azurite, DateTimeOffset start)
    {
        ConnectionString = azurite.ConnectionString;
        Container = AzuriteFixture.UniqueName("timers");
        FunctionName = AzuriteFixture.UniqueName("fn");
        Clock = new FakeTimeProvider(start);
    }

    public string ConnectionString { get; }

    public string Container { get; }

    public string FunctionName { get; }

    public FakeTimeProvider Clock { get; }

    public TimerProbe Probe { get; } = new();

    /// <summary>Settings every host of the test gets; a test may change them before starting hosts.</summary>
    public Dictionary<string, string?> Settings { get; } = new()
    {
        // Fast takeover for tests; the lease itself cannot be shorter than Storage's minimum of 15 s.
        [Timers + "leaseAcquireInterval"] = "00:00:00.500",
    };

    public IHost Build(string label, string schedule, bool runOnStartup = false, CapturedLogs? logs = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var values = new Dictionary<string, string?>(Settings)
        {
            ["AzureWebJobsStorage"] = ConnectionString,
            [Timers + "container"] = Container,
        };
        builder.Configuration.AddInMemoryCollection(values);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        if (logs is not null) builder.Logging.AddProvider(logs);
        builder.Services.AddSingleton<TimeProvider>(Clock);
        builder.Services.AddSingleton(Probe);
        builder.Services.AddSingleton(new HostLabel(label));
        builder.Services.AddTimerTriggers(builder.Configuration);
        builder.Services.AddTimerTrigger<ProbeTimerFunction>(FunctionName, schedule, runOnStartup);
        return builder.Build();
    }

    public async Task<TimerHost> StartAsync(string label, string schedule, bool runOnStartup = false, CapturedLogs? logs = null)
    {
        var host = Build(label, schedule, runOnStartup, logs);
        await host.StartAsync();
        return new TimerHost(label, host);
    }

    public BlobClient StatusBlob() =>
        new BlobContainerClient(ConnectionString, Container, StorageBlobConnection.ClientOptions()).GetBlobClient($"timers/{FunctionName}/status");

    public BlobClient LockBlob() =>
        new BlobContainerClient(ConnectionString, Container, StorageBlobConnection.ClientOptions()).GetBlobClient($"locks/{FunctionName}");

    /// <summary>The persisted schedule status as JSON, or null if none was written yet.</summary>
    public async Task<System.Text.Json.JsonElement?> ReadStatusAsync()
    {
        var blob = StatusBlob();
        if (!(await blob.ExistsAsync()).Value) return null;
        var content = (await blob.DownloadContentAsync()).Value.Content;
        return System.Text.Json.JsonDocument.Parse(content.ToMemory()).RootElement.Clone();
    }

    /// <summary>
    /// Waits until exactly one of <paramref name="hosts"/> holds the lease and waits for an occurrence, i.e. it has read
    /// the schedule status and the simulated clock: advancing the clock before that would make its start look late.
    /// </summary>
    public async Task<TimerHost> WaitForHolderAsync(IEnumerable<TimerHost> hosts, TimeSpan? timeout = null)
    {
        var list = hosts.ToList();
        TimerHost? holder = null;
        await Eventually.WaitAsync(() =>
        {
            var holding = list.Where(h => h.HoldsLease(FunctionName)).ToList();
            holder = holding.Count == 1 && holding[0].WaitingFor(FunctionName) is not null ? holding[0] : null;
            return holder is not null;
        }, "one instance holds the timer's lease and waits for the next occurrence", timeout);
        return holder!;
    }

    /// <summary>Advances the simulated clock one step at a time, waiting after each step until every run due by then has completed.</summary>
    public async Task AdvanceAsync(TimeSpan span, TimeSpan step, Func<DateTimeOffset, int> expectedRuns)
    {
        var end = Clock.GetUtcNow() + span;
        while (Clock.GetUtcNow() < end)
        {
            var next = Clock.GetUtcNow() + step;
            Clock.Advance(next <= end ? step : end - Clock.GetUtcNow());
            var expected = expectedRuns(Clock.GetUtcNow());
            await Eventually.WaitAsync(() => Probe.Completed >= expected,
                $"{expected} run(s) completed by simulated {Clock.GetUtcNow():O} (completed {Probe.Completed})");
        }
    }

    /// <summary>Occurrences of <paramref name="schedule"/> in (<paramref name="after"/>, <paramref name="upTo"/>].</summary>
    public static List<DateTimeOffset> Occurrences(string schedule, DateTimeOffset after, DateTimeOffset upTo)
    {
        var parsed = TimerSchedule.Parse(schedule);
        var result = new List<DateTimeOffset>();
        var at = after;
        while (parsed.GetNextOccurrence(at) is { } next && next <= upTo)
        {
            result.Add(next);
            at = next;
        }
        return result;
    }
}
