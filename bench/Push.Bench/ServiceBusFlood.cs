using System.Diagnostics;
using Azure.Messaging.ServiceBus;
using Push.Core.Events;
using Push.Core.ServiceBus;
using Push.Testing.ServiceBus;

namespace Push.Bench;

/// <summary>
/// The 20,000 queued IM events on Service Bus (<c>Queues__Transport=ServiceBus</c>: the real
/// Azure.Messaging.ServiceBus SDK in the worker against the Service Bus emulator of tests/Push.Testing, in the harness
/// process; registry, ledger and tokens stay on Azurite). Calls and messages run on their own instances, as Flex
/// Consumption scales each function on its own: one LocalFunctionsHost process (pinned to core 0) delivers calls, another
/// (pinned to core 1) the messages.
/// </summary>
/// <remarks>
/// On Service Bus the queues are read by the worker's in-process <c>ServiceBusProcessor</c>s, not by host triggers (the
/// Service Bus extension is not served here), so <c>AzureWebJobs.&lt;Function&gt;.Disabled</c> cannot split them: it
/// switches off the Storage-queue functions on both instances, and each instance's other event queue setting
/// (<c>Queues__Messages</c> on the calls instance, <c>Queues__Calls</c> on the messages instance) names an empty queue of
/// its own, so each instance processes one event queue — what the per-function split does on Azure.
/// </remarks>
internal static class ServiceBusFlood
{
    private const string IdleCalls = "bench-idle-calls";
    private const string IdleMessages = "bench-idle-messages";

    internal sealed record Result(
        List<double> IdleCalls,
        List<double> FloodCalls,
        long ImLeftAtLastCall,
        double FillSeconds,
        int Drained,
        double DrainEventsPerSecond,
        double DrainCpuMsPerEvent,
        double HostRssMb,
        double WorkerRssMb,
        double CallsHostRssMb,
        string? Failure,
        string? DrainFailure);

    public static async Task<Result> RunAsync(World world, HarnessSettings s)
    {
        await using var emulator = await ServiceBusEmulator.StartNewAsync();
        foreach (var queue in new[] { World.CallsQueue, World.MessagesQueue, World.DevicesQueue, IdleCalls, IdleMessages })
        {
            emulator.CreateQueue(queue, new QueueOptions { DuplicateDetectionWindow = TimeSpan.FromMinutes(10) });
        }
        await using var client = new ServiceBusClient(emulator.ConnectionString);
        await using var senders = new ServiceBusSenders(client);

        Dictionary<string, string?> Settings(string otherQueueSetting, string otherQueue)
        {
            var settings = world.Settings();
            settings["Queues__Transport"] = "ServiceBus";
            settings[ServiceBusConnectionSetting.FunctionsSettingName] = emulator.ConnectionString;
            // The events arrive on Service Bus: the Storage-queue functions have nothing to do, as an operator sets it.
            settings["AzureWebJobs.DeliverCall.Disabled"] = "true";
            settings["AzureWebJobs.DeliverMessage.Disabled"] = "true";
            settings["AzureWebJobs.ManageDevices.Disabled"] = "true";
            settings[otherQueueSetting] = otherQueue;
            return settings;
        }
        int? Core(int core) => Environment.ProcessorCount >= 2 ? core : null;
        Task PublishCall(PushEvent evt) => senders.PublishAsync(World.CallsQueue, PushEventWriter.Serialize(evt), evt.TrackingId, CancellationToken.None);

        var perRun = World.CallWarmup + s.Calls;

        // The calls instance first, on empty queues: the idle baseline, warmed up by the first calls.
        world.Sandbox.ClearRecords();
        await using var callsHost = await FunctionHost.StartAsync(world.Repo, world.FunctionApp, Settings("Queues__Messages", IdleMessages), Core(0));
        List<double> idle;
        try
        {
            await callsHost.WaitReadyAsync();
            idle = await CallLatencies.MeasureAsync(PublishCall, world, world.Callees.Take(perRun).ToList(), s.Calls, null);
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            return Failed($"Service Bus: idle calls: {ex.Message.Split('\n')[0]}: {callsHost.Tail()}");
        }
        Console.WriteLine($"pipeline: servicebus: idle calls p50 {LoadResult.Percentiles([.. idle]).P50:0.0} ms, p99 {LoadResult.Percentiles([.. idle]).P99:0.0} ms");

        var events = s.FloodEvents;
        var fill = await FillAsync(senders.For(World.MessagesQueue), world.ImSets[0].Users, events);
        Console.WriteLine($"pipeline: servicebus: queued {events} IM events in {fill:0.0} s");

        var tokens = world.ImSets[0].Tokens;
        await using var messagesHost = await FunctionHost.StartAsync(world.Repo, world.FunctionApp, Settings("Queues__Calls", IdleCalls), Core(1));
        var clock = Stopwatch.StartNew();
        while (world.Arrivals(tokens).Count < 200)
        {
            if (messagesHost.HasExited || clock.Elapsed > StoragePhases.DrainTimeout)
            {
                return Failed($"Service Bus: the messages instance did not start delivering the backlog: {messagesHost.Tail()}");
            }
            await Task.Delay(100);
        }
        var cpuAtStart = messagesHost.CpuMs();
        var deliveredAtStart = world.Arrivals(tokens).Count / World.PushesPerEvent;
        long left = 0;
        List<double> flood;
        try
        {
            // Callees of their own: the sandbox still holds the idle calls' pushes (and every IM push, counted above).
            flood = await CallLatencies.MeasureAsync(PublishCall, world, world.Callees.Skip(perRun).ToList(), s.Calls,
                () => { left = events - world.Arrivals(tokens).Count / World.PushesPerEvent; return Task.CompletedTask; });
        }
        catch (TimeoutException ex)
        {
            return Failed($"Service Bus: calls under the backlog: {ex.Message}: {callsHost.Tail()}");
        }
        Console.WriteLine($"pipeline: servicebus: calls under the backlog p50 {LoadResult.Percentiles([.. flood]).P50:0.0} ms, p99 {LoadResult.Percentiles([.. flood]).P99:0.0} ms (~{left} IM events not yet delivered at the last call)");

        // The rest of the backlog drains, within a time limit: memory and CPU over what drained.
        var limit = TimeSpan.FromSeconds(s.FloodDrainSeconds);
        string? drainFailure = null;
        int pushes;
        while ((pushes = world.Arrivals(tokens).Count) < events * World.PushesPerEvent)
        {
            if (messagesHost.HasExited) { drainFailure = $"the messages instance exited while draining: {messagesHost.Tail()}"; break; }
            if (clock.Elapsed > limit) { drainFailure = $"{pushes / World.PushesPerEvent} of {events} events drained within the {limit.TotalSeconds:0} s limit (--flood-drain-seconds)"; break; }
            await Task.Delay(500);
        }
        var drained = world.Arrivals(tokens).Count / World.PushesPerEvent;
        var times = world.Arrivals(tokens);
        var seconds = Math.Max((times.Max() - times.Min()).TotalSeconds, 0.001);
        var cpu = (messagesHost.CpuMs() - cpuAtStart) / Math.Max(drained - deliveredAtStart, 1);
        var (hostMb, workerMb) = messagesHost.PeakRssMb();
        var (callsHostMb, callsWorkerMb) = callsHost.PeakRssMb();
        Console.WriteLine($"pipeline: servicebus: drained {drained} of {events} at {drained / seconds:0} events/s, {cpu:0.00} ms CPU per event, VmHWM host {hostMb:0} + worker {workerMb:0} MB");
        await File.WriteAllTextAsync(Path.Combine(Path.GetTempPath(), "push-bench-servicebus-messages-last.log"), messagesHost.Output);
        await Task.WhenAll(messagesHost.StopAsync(), callsHost.StopAsync());
        return new Result(idle, flood, left, fill, drained, drained / seconds, cpu, hostMb, workerMb, callsHostMb + callsWorkerMb, null, drainFailure);

        Result Failed(string why) => new([], [], 0, 0, 0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, why, why);
    }

    /// <summary>Queues the backlog in batches of 100 (4 in flight), each message as a producer sends it (id = tracking id).</summary>
    private static async Task<double> FillAsync(ServiceBusSender sender, List<string> users, int count)
    {
        var sw = Stopwatch.StartNew();
        var next = -1;
        async Task Worker()
        {
            while (true)
            {
                var from = Interlocked.Add(ref next, 100) - 99;
                if (from >= count) return;
                var batch = Enumerable.Range(from, Math.Min(100, count - from)).Select(i =>
                {
                    var evt = World.ImEvent(users[i % users.Count], i);
                    return new ServiceBusMessage(PushEventWriter.Serialize(evt)) { MessageId = evt.TrackingId, ContentType = "application/cloudevents+json" };
                }).ToList();
                await sender.SendMessagesAsync(batch).ConfigureAwait(false);
            }
        }
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Worker()));
        return sw.Elapsed.TotalSeconds;
    }
}
