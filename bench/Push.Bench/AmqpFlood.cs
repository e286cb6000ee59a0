using System.Diagnostics;
using Push.Core.Events;
using Push.Hosting.ServiceBus;
using Push.Sandbox;
using Push.Testing;

namespace Push.Bench;

/// <summary>
/// Calls under the full IM backlog, and the host's memory while it drains all of it, with the queues on a real
/// broker: the relay host process with <c>Queues__Transport=ServiceBus</c> on RabbitMQ over AMQP 1.0 (the registry,
/// ledger and shared tokens stay on Azurite's tables and blobs).
/// </summary>
/// <remarks>
/// Azurite cannot hold this backlog: its in-memory queue store scans and re-sorts every message of the instance on each
/// queue operation (lokijs find + index rebuild), so with 20,000 queued a receive or delete on any queue takes
/// 100-300 ms and the emulator, not the relay, decides every latency (bench/README.md has the figures).
/// </remarks>
internal static class AmqpFlood
{
    private const string MessagesQueue = "push-messages";
    private const string CallsQueue = "push-calls";

    internal sealed record Result(
        List<double> FloodCalls,
        List<double> EmptyCalls,
        long ImLeftAtLastCall,
        double FillSeconds,
        LoadResult Drain,
        double PeakRssMb,
        double CpuMsPerEvent,
        string? Failure,
        string? DrainFailure);

    public static async Task<Result> RunAsync(string functionHost, string repo, Dictionary<string, string?> storageSettings,
        SandboxServer sandbox, List<string> imUsers, HashSet<string> imTokens,
        List<(string User, string PushToken, string VoipToken)> callees, HarnessSettings s)
    {
        await using var rabbit = new RabbitMqFixture();
        await rabbit.InitializeAsync();
        foreach (var queue in new[] { CallsQueue, MessagesQueue, "push-devices" }) await rabbit.DeclareQueueAsync(queue);
        await using var publisher = new ServiceBusEventPublisher(
            ServiceBusConnectionString.Parse(rabbit.ConnectionString, "ServiceBusConnection"), ServiceBusAuthMode.SaslPlain, ServiceBusBroker.RabbitMq);

        // The product's Service Bus defaults (host.json has no serviceBus section): only what RabbitMQ needs is set.
        var env = new Dictionary<string, string?>(storageSettings)
        {
            ["Queues__Transport"] = "ServiceBus",
            ["ServiceBusConnection"] = rabbit.ConnectionString,
            ["AzureFunctionsJobHost__extensions__serviceBus__authMode"] = "saslPlain",
            ["AzureFunctionsJobHost__extensions__serviceBus__broker"] = "rabbitMq",
        };

        var events = s.FloodEvents;
        Task PublishCall(PushEvent evt) => publisher.SendAsync(CallsQueue, PushEventWriter.Serialize(evt), evt.TrackingId);

        // The baseline first: a host on empty queues, warmed up by the first calls.
        List<double> empty;
        sandbox.ClearRecords();
        await using (var idle = ChildProcess.Start("dotnet", [functionHost], repo, env))
        {
            try
            {
                empty = await Pipeline.CallLatenciesAsync(PublishCall, sandbox, callees, s.Calls, null);
            }
            catch (TimeoutException ex)
            {
                return Failed($"amqp: calls with empty queues: {ex.Message}: {Pipeline.Tail(idle.Output)}");
            }
            await idle.StopAsync(TimeSpan.FromSeconds(10));
        }
        Console.WriteLine($"pipeline: amqp: calls with empty queues p99 {LoadResult.Percentiles([.. empty]).P99:0.0} ms");

        var fill = await Pipeline.FillAsync(evt => publisher.SendAsync(MessagesQueue, PushEventWriter.Serialize(evt), evt.TrackingId), imUsers, events);
        Console.WriteLine($"pipeline: amqp: queued {events} IM events on RabbitMQ in {fill:0.0} s");

        sandbox.ClearRecords();
        await using var host = ChildProcess.Start("dotnet", [functionHost], repo, env);
        int ImPushes() => sandbox.ApnsPushes.Count(p => imTokens.Contains(p.DeviceToken)) + sandbox.FcmMessages.Count(m => imTokens.Contains(m.Token));
        var deadline = Stopwatch.StartNew();
        while (sandbox.ApnsPushes.Count + sandbox.FcmMessages.Count < 200)
        {
            if (host.HasExited || deadline.Elapsed > Pipeline.DrainTimeout)
            {
                return Failed($"amqp: the relay host did not start delivering the IM backlog: {Pipeline.Tail(host.Output)}");
            }
            await Task.Delay(25);
        }
        var cpuAtStart = Pipeline.CpuMs(host.Id);

        long left = 0;
        List<double> flood;
        try
        {
            flood = await Pipeline.CallLatenciesAsync(PublishCall, sandbox, callees, s.Calls,
                () => { left = events - ImPushes() / 2; return Task.CompletedTask; });
        }
        catch (TimeoutException ex)
        {
            return Failed($"amqp: calls under a {events}-event backlog: {ex.Message}");
        }
        Console.WriteLine($"pipeline: amqp: calls under the backlog p99 {LoadResult.Percentiles([.. flood]).P99:0.0} ms (~{left} IM events not yet delivered at the last call)");

        // The whole backlog drains: memory and throughput over all of it.
        var drainLimit = TimeSpan.FromSeconds(Math.Max(120, events / 30.0));
        string? drainFailure = null;
        while (ImPushes() < events * 2)
        {
            if (host.HasExited)
            {
                drainFailure = $"amqp: host exited ({host.ExitCode}) while draining: {Pipeline.Tail(host.Output)}";
                break;
            }
            if (deadline.Elapsed > drainLimit)
            {
                drainFailure = $"amqp: {ImPushes()} of {events * 2} IM pushes within {drainLimit.TotalSeconds:0} s (Azurite's tables bound the drain)";
                break;
            }
            await Task.Delay(100);
        }
        var times = sandbox.ApnsPushes.Where(p => imTokens.Contains(p.DeviceToken)).Select(p => p.ReceivedAt)
            .Concat(sandbox.FcmMessages.Where(m => imTokens.Contains(m.Token)).Select(m => m.ReceivedAt)).ToList();
        var delivered = times.Count / 2;
        var drain = new LoadResult("relay host over AMQP", events, delivered, Math.Max((times.Max() - times.Min()).TotalSeconds, 0.001), null, null, drainFailure);
        var cpuMsPerEvent = host.HasExited ? double.NaN : (Pipeline.CpuMs(host.Id) - cpuAtStart) / Math.Max(delivered, 1);
        var rss = host.HasExited ? double.NaN : Pipeline.PeakRssMb(host.Id);
        Console.WriteLine($"pipeline: amqp: drained {delivered} of {events} events at {delivered / drain.Seconds:0} events/s, VmHWM {rss:0} MB, {cpuMsPerEvent:0.00} ms host CPU per event");
        await File.WriteAllTextAsync(Path.Combine(Path.GetTempPath(), "push-bench-amqp-flood-last.log"), host.Output);
        await host.StopAsync(TimeSpan.FromSeconds(10));
        return new Result(flood, empty, left, fill, drain, rss, cpuMsPerEvent, null, drainFailure);

        Result Failed(string why) => new([], [], 0, 0, Pipeline.Failed("relay host over AMQP", events, why), double.NaN, double.NaN, why, why);
    }
}
