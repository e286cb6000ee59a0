using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Queues;

namespace Push.Bench;

/// <summary>One drain of a pre-filled queue by a relay host: events/s over first→last push, host+worker CPU per event, peak RSS.</summary>
internal sealed record DrainResult(string Name, int Events, double EventsPerSecond, double CpuMsPerEvent, double HostRssMb, double WorkerRssMb, string? Failure)
{
    public bool Ok => Failure is null;

    public static DrainResult Failed(string name, int events, string why) => new(name, events, double.NaN, double.NaN, double.NaN, double.NaN, why);
}

/// <summary>The phases on Storage queues (Azurite): drains, the bare loop, cold start and idle calls, the counting phase.</summary>
internal static class StoragePhases
{
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(120);
    public const int BareBatch = 32;

    /// <summary>
    /// Fills the messages queue with <paramref name="events"/> IM events for set 0 while no host runs, then starts a host on
    /// <paramref name="scriptRoot"/> and waits for every push. Events/s = events ÷ (last − first push at the sandbox), so
    /// start-up is not counted; CPU is the host's and its worker's from the first push to the last.
    /// </summary>
    public static async Task<DrainResult> DrainAsync(World world, string name, string scriptRoot, int events)
    {
        var messages = world.Queue(World.MessagesQueue);
        await messages.ClearMessagesAsync();
        await world.FillAsync(World.MessagesQueue, 0, events);
        world.Sandbox.ClearRecords();
        var tokens = world.ImSets[0].Tokens;
        await using var host = await FunctionHost.StartAsync(world.Repo, scriptRoot, world.Settings());
        var deadline = Stopwatch.StartNew();
        double? cpuAtFirst = null;
        while (true)
        {
            var count = PushCount(world);
            if (cpuAtFirst is null && count > 0) cpuAtFirst = host.CpuMs();
            if (count >= events * World.PushesPerEvent) break;
            if (host.HasExited) return DrainResult.Failed(name, events, $"{name}: host exited: {host.Tail()}");
            if (deadline.Elapsed > DrainTimeout)
            {
                await File.WriteAllTextAsync(Path.Combine(Path.GetTempPath(), $"push-bench-{name}-last.log"), host.Output);
                return DrainResult.Failed(name, events, $"{name}: {count} of {events * World.PushesPerEvent} pushes within {DrainTimeout.TotalSeconds:0} s; {host.Retries()}");
            }
            await Task.Delay(20);
        }
        var cpu = (host.CpuMs() - cpuAtFirst!.Value) / events;
        var (hostMb, workerMb) = host.PeakRssMb();
        var times = world.Arrivals(tokens);
        var seconds = Math.Max((times.Max() - times.Min()).TotalSeconds, 0.001);
        await File.WriteAllTextAsync(Path.Combine(Path.GetTempPath(), $"push-bench-{name}-last.log"), host.Output);
        await host.StopAsync();
        Console.WriteLine($"pipeline: {name}: {events / seconds:0} events/s, {cpu:0.00} ms host+worker CPU per event, VmHWM host {hostMb:0} + worker {workerMb:0} MB");
        return new DrainResult(name, events, events / seconds, cpu, hostMb, workerMb, null);
    }

    private static int PushCount(World world) => world.Sandbox.ApnsPushes.Count + world.Sandbox.FcmMessages.Count;

    /// <summary>The peer of pipeline_vs_azurite: `Push.Bench bare` in its own process (so its CPU is its own) over the same pre-filled queue.</summary>
    public static async Task<(double EventsPerSecond, double CpuMsPerMessage, string? Failure)> BareDrainAsync(World world, int events, string? connectionString = null, bool fill = true)
    {
        var messages = world.Queue(World.MessagesQueue);
        if (fill)
        {
            await messages.ClearMessagesAsync();
            await world.FillAsync(World.MessagesQueue, 0, events);
        }
        var self = typeof(StoragePhases).Assembly.Location;
        await using var bare = await FunctionHost.StartChildAsync("dotnet",
            [self, "bare", connectionString ?? world.Azurite.ConnectionString, World.MessagesQueue, events.ToString(CultureInfo.InvariantCulture)], world.Repo);
        var exit = await bare.WaitForExitAsync(DrainTimeout + TimeSpan.FromSeconds(30));
        var line = bare.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.StartsWith('{'));
        if (exit != 0 || line is null) return (double.NaN, double.NaN, $"bare loop exited {exit}: {bare.Output.Trim()}");
        var r = JsonNode.Parse(line)!;
        var done = (int)r["done"]!;
        var seconds = (double)r["seconds"]!;
        var cpuMs = (double)r["cpuMs"]!;
        return (done / seconds, cpuMs / Math.Max(done, 1), done == events ? null : $"bare loop: {done} of {events}");
    }

    /// <summary>`Push.Bench bare CONNECTION QUEUE N`: receive 32, delete them concurrently, until N are gone; prints {done, seconds, cpuMs}.</summary>
    public static async Task<int> BareLoopMainAsync(string connectionString, string queueName, int expected)
    {
        var queue = new QueueClient(connectionString, queueName);
        var done = 0;
        using var cts = new CancellationTokenSource(DrainTimeout);
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        try
        {
            while (done < expected)
            {
                var batch = (await queue.ReceiveMessagesAsync(BareBatch, TimeSpan.FromMinutes(5), cts.Token)).Value;
                if (batch.Length == 0)
                {
                    await Task.Delay(5, cts.Token);
                    continue;
                }
                await Task.WhenAll(batch.Select(m => queue.DeleteMessageAsync(m.MessageId, m.PopReceipt, cts.Token)));
                done += batch.Length;
            }
        }
        catch (OperationCanceledException)
        {
            // Reported below as fewer than expected.
        }
        var seconds = sw.Elapsed.TotalSeconds;
        var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds;
        Console.WriteLine(JsonSerializer.Serialize(new { done, seconds, cpuMs }));
        return 0;
    }

    /// <summary>
    /// Cold start, then idle calls: one call is queued before the host process starts; cold start = process start → that
    /// call's push at the sandbox. The same host, warm, then takes the warm-up and measured calls with empty queues.
    /// </summary>
    public static async Task<(double ColdStartMs, List<double> IdleCalls, string? Failure)> ColdStartThenIdleCallsAsync(World world, int calls)
    {
        var callsQueue = world.Queue(World.CallsQueue);
        await callsQueue.ClearMessagesAsync();
        await world.Queue(World.MessagesQueue).ClearMessagesAsync();
        world.Sandbox.ClearRecords();
        var (user, push, voip) = world.Callees[0];
        await callsQueue.SendMessageAsync(World.QueueText(World.CallEvent(user)));
        var startedAt = DateTimeOffset.UtcNow;
        // The published output, as a new Flex Consumption instance starts it (ReadyToRun), not the IL build output.
        await using var host = await FunctionHost.StartAsync(world.Repo, world.PublishedFunctionApp, world.Settings());
        var first = await world.Sandbox.WaitForApnsPushAsync(p => p.DeviceToken == voip || p.DeviceToken == push, TimeSpan.FromSeconds(90));
        var coldMs = (first.ReceivedAt - startedAt).TotalMilliseconds;
        Console.WriteLine($"pipeline: cold start (process start → first call at the sandbox): {coldMs:0} ms");
        try
        {
            var idle = await CallLatencies.MeasureAsync(evt => callsQueue.SendMessageAsync(World.QueueText(evt)), world, world.Callees.Skip(1).ToList(), calls, null);
            await host.StopAsync();
            return (coldMs, idle, null);
        }
        catch (TimeoutException ex)
        {
            return (coldMs, [], $"idle calls on Storage queues: {ex.Message}: {host.Tail()}");
        }
    }

    /// <summary>
    /// Every request the relay (host + worker) makes to Azurite per delivered IM event, through <see cref="StorageCounter"/>:
    /// the host starts on empty queues and settles; then <paramref name="events"/> IM events (set 1) are queued directly on
    /// Azurite (not counted) and the count runs from then until the queue is empty (every message deleted). Idle polling
    /// of the other queues during that window is part of the relay's cost and shows in the breakdown. The bare loop is
    /// counted through the same proxy over the same number of events.
    /// </summary>
    public static async Task<JsonObject> CountAsync(World world, int events)
    {
        await using var counter = await StorageCounter.StartAsync(world.Azurite);
        var messages = world.Queue(World.MessagesQueue);
        await messages.ClearMessagesAsync();
        world.Sandbox.ClearRecords();
        var tokens = world.ImSets[1].Tokens;
        Dictionary<string, long> before, after;
        double seconds;
        await using (var host = await FunctionHost.StartAsync(world.Repo, world.FunctionApp, world.Settings(counter.ConnectionString)))
        {
            await host.WaitReadyAsync();
            await Task.Delay(TimeSpan.FromSeconds(3)); // start-up requests (queue/table creation, token blobs, leases) are not per event
            before = counter.Snapshot();
            var sw = Stopwatch.StartNew();
            await world.FillAsync(World.MessagesQueue, 1, events);
            while (world.Arrivals(tokens).Count < events * World.PushesPerEvent || (await messages.GetPropertiesAsync()).Value.ApproximateMessagesCount > 0)
            {
                if (host.HasExited || sw.Elapsed > DrainTimeout)
                {
                    var log = Path.Combine(Path.GetTempPath(), "push-bench-counting-last.log");
                    await File.WriteAllTextAsync(log, host.Output + "\nrefused by Azurite:\n" + string.Join("\n", counter.Failures.Take(50)));
                    throw new InvalidOperationException($"counting phase: the relay did not deliver {events} events (host output and refused requests in {log}): {host.Tail()}");
                }
                await Task.Delay(50);
            }
            after = counter.Snapshot();
            seconds = sw.Elapsed.TotalSeconds;
            await host.StopAsync();
        }
        var relay = Diff(before, after);

        await messages.ClearMessagesAsync();
        await world.FillAsync(World.MessagesQueue, 1, events);
        var bareBefore = counter.Snapshot();
        var (_, _, bareFailure) = await BareDrainAsync(world, events, counter.ConnectionString, fill: false);
        if (bareFailure is not null) throw new InvalidOperationException("counting phase: " + bareFailure);
        var bare = Diff(bareBefore, counter.Snapshot());

        var relayPerEvent = relay.Values.Sum() / (double)events;
        var barePerEvent = bare.Values.Sum() / (double)events;
        Console.WriteLine($"pipeline: storage requests per IM event: relay {relayPerEvent:0.00}, bare loop {barePerEvent:0.000}; relay: {string.Join(", ", relay.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {kv.Value / (double)events:0.00}"))}");
        var e = Entries.Entry("storage_requests_per_event", "<=", 1.5);
        e["status"] = "measured";
        e["ours"] = Entries.Figure("relay (host + worker) requests per delivered IM event", "requests/event", relayPerEvent, null, null, [relayPerEvent], digits: 3);
        e["peer"] = Entries.Figure($"bare receive-{BareBatch} + delete, requests per message (1 + 1/{BareBatch} = {1 + 1.0 / BareBatch:0.000} ideal)", "requests/event", barePerEvent, null, null, [barePerEvent], digits: 3);
        var ratio = relayPerEvent / barePerEvent;
        e["ratio"] = Math.Round(ratio, 3);
        e["goalMet"] = ratio <= 1.5;
        e["breakdown"] = PerEvent(relay, events);
        e["bareBreakdown"] = PerEvent(bare, events);
        e["parameters"] = new JsonObject
        {
            ["events"] = events,
            ["pushesPerEvent"] = World.PushesPerEvent,
            ["windowSeconds"] = Math.Round(seconds, 1),
            ["figure"] = "requests counted from the first event queued until the queue was empty, ÷ events; ratio = relay ÷ bare",
        };
        e["method"] = "A counting HTTP/1.1 reverse proxy in front of Azurite's blob, queue and table ports (bench/Push.Bench/StorageCounter.cs); the relay host's AzureWebJobsStorage points at it. The host starts on empty queues and settles for 3 s; then N IM events (2 devices each) are queued directly on Azurite (not counted), and every request the host and its worker make until the queue is empty is counted by service, operation and target (breakdown: requests per event). The bare loop (receive 32 + delete each) is counted through the same proxy over N events.";
        return e;
    }

    private static Dictionary<string, long> Diff(Dictionary<string, long> before, Dictionary<string, long> after) =>
        after.Select(kv => (kv.Key, Value: kv.Value - before.GetValueOrDefault(kv.Key))).Where(kv => kv.Value > 0).ToDictionary(kv => kv.Key, kv => kv.Value);

    private static JsonObject PerEvent(Dictionary<string, long> counts, int events) =>
        new(counts.OrderByDescending(kv => kv.Value).Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(Math.Round(kv.Value / (double)events, 3)))));
}
