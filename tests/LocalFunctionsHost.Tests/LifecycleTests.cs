using System.Globalization;
using LocalFunctionsHost.Tests.Infrastructure;
using Push.Testing;

namespace LocalFunctionsHost.Tests;

/// <summary>The worker's life under the host: crash and restart, the host killed, the host stopped.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class LifecycleTests(AzuriteFixture azurite)
{
    private readonly Scenario _scenario = new(azurite);

    [Fact]
    public async Task A_worker_killed_mid_batch_is_restarted_and_its_messages_come_back_once_more_without_early_poison()
    {
        using var app = AppFolder.Create(new
        {
            version = "2.0",
            extensions = new { queues = new { maxDequeueCount = 2, maxPollingInterval = "00:00:00.500" } },
        }, _scenario.Values());
        await using var host = await HostProcess.StartReadyAsync(app);
        var queue = _scenario.Queue(_scenario.EchoQueue);
        var sent = new List<string>();
        for (var i = 0; i < 3; i++) sent.Add((await queue.SendMessageAsync("hang-once")).Value.MessageId);
        var started = await _scenario.WaitForMarkersAsync(m => m.Count(x => x is { Event: "started", DequeueCount: 1 }) == 3, "three in flight", host);
        var worker = started.First().ProcessId;
        Assert.Equal(worker, host.WorkerIds.Single());

        using (var kill = System.Diagnostics.Process.Start("kill", ["-KILL", worker.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill!.WaitForExitAsync();
        }

        var markers = await _scenario.WaitForMarkersAsync(m => m.Count(x => x.Event == "completed") == 3, "three completed after the restart", host,
            TimeSpan.FromSeconds(90));
        var completed = markers.Where(x => x.Event == "completed").ToList();
        // Each message once more, on its second delivery (the kill cost it exactly the one dequeue it had used), in a new worker.
        Assert.Equal(sent.Order(), completed.Select(x => x.MessageId!).Order());
        Assert.All(completed, x => Assert.Equal(2, x.DequeueCount));
        Assert.All(completed, x => Assert.NotEqual(worker, x.ProcessId));
        Assert.Equal(2, host.WorkerIds.Count);
        // The host's console reaches the test through a pipe, behind the markers the worker wrote: wait for the line.
        await host.WaitForOutputAsync("invocation(s) in flight failed; restarting it");
        Assert.Contains("3 invocation(s) in flight failed; restarting it", host.Output);
        Assert.Empty(await Scenario.PeekTextsAsync(_scenario.RawQueue(_scenario.EchoQueue + "-poison")));
    }

    [Fact]
    public async Task A_host_killed_by_SIGKILL_leaves_no_worker_running()
    {
        using var app = AppFolder.Create(new { version = "2.0" }, _scenario.Values());
        await using var host = await HostProcess.StartReadyAsync(app);
        var worker = host.WorkerIds.Single();
        Assert.True(Processes.IsAlive(worker));

        await host.KillHostOnlyAsync();

        Assert.True(await Processes.WaitUntilGoneAsync(worker, TimeSpan.FromSeconds(20)), $"worker {worker} outlived its host");
    }

    [Fact]
    public async Task SIGTERM_drains_the_running_invocation_sends_WorkerTerminate_and_exits_cleanly()
    {
        using var app = AppFolder.Create(new { version = "2.0", extensions = new { queues = new { maxPollingInterval = "00:00:00.500" } } },
            _scenario.Values());
        await using var host = await HostProcess.StartReadyAsync(app);
        var worker = host.WorkerIds.Single();
        await _scenario.Queue(_scenario.EchoQueue).SendMessageAsync("sleep:2000");
        await _scenario.WaitForMarkersAsync(m => m.Any(x => x.Event == "started"), "started", host);

        var exitCode = await host.TerminateAsync();

        Assert.Equal(0, exitCode);
        // The running invocation finished within the grace period and its message was deleted.
        Assert.Contains(await _scenario.ReadMarkersAsync(), x => x.Event == "completed");
        Assert.Equal(0, (await _scenario.RawQueue(_scenario.EchoQueue).GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.Contains($"Sending WorkerTerminate to worker process {worker}", host.Output);
        Assert.Contains($"Worker process {worker} exited with code 0", host.Output);
        Assert.DoesNotContain("killing it", host.Output);
        Assert.True(await Processes.WaitUntilGoneAsync(worker, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_worker_that_never_connects_fails_the_start_with_a_clear_message()
    {
        using var app = AppFolder.CreateFake("echo \"pid $$\"; exec sleep 300\n");
        await using var host = HostProcess.Start(app, new Dictionary<string, string?> { ["LocalFunctionsHost__WorkerStartTimeout"] = "00:00:03" });

        var exitCode = await host.WaitForExitAsync();

        Assert.Equal(1, exitCode);
        Assert.Contains("did not connect to the host within 00:00:03 (LocalFunctionsHost__WorkerStartTimeout)", host.Output);
        Assert.True(await Processes.WaitUntilGoneAsync(host.WorkerIds.Single(), TimeSpan.FromSeconds(10)));
    }
}
