using LocalFunctionsHost.Tests.Infrastructure;
using Push.Testing;

namespace LocalFunctionsHost.Tests;

/// <summary>The worker protocol end to end: the real isolated worker (the sample app's build output) under the host.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class ProtocolTests(AzuriteFixture azurite)
{
    private readonly Scenario _scenario = new(azurite);

    [Fact]
    public async Task The_worker_initialises_indexes_and_loads_then_a_QueueMessage_binds_through_model_binding_data()
    {
        using var app = AppFolder.Create(new { version = "2.0" }, _scenario.Values());
        await using var host = await HostProcess.StartReadyAsync(app);

        // init → metadata → load: the worker's capabilities came back, and every function it declared is listed.
        Assert.Contains("HandlesInvocationCancelMessage", host.Output);
        Assert.Contains($"Echo: queueTrigger {_scenario.EchoQueue}, EchoString: queueTrigger {_scenario.StringQueue}", host.Output);
        Assert.Contains("StartupTick: timerTrigger (disabled)", host.Output);

        var sent = await _scenario.Queue(_scenario.EchoQueue).SendMessageAsync("hello, worker");
        var markers = await _scenario.WaitForMarkersAsync(m => m.Any(x => x is { Function: "Echo", Event: "completed" }), "Echo completed", host);

        var done = markers.Single(x => x is { Function: "Echo", Event: "completed" });
        Assert.Equal("QueueMessage", done.Binding);
        Assert.Equal("hello, worker", done.Text);
        Assert.Equal(sent.Value.MessageId, done.MessageId);
        Assert.Equal(1, done.DequeueCount);
        Assert.False(string.IsNullOrEmpty(done.PopReceipt));
        // Success deletes the message.
        await Scenario.WaitUntilEmptyAsync(_scenario.RawQueue(_scenario.EchoQueue), "after success", host);
        Assert.Contains($"Executed 'Functions.Echo' (Succeeded, Id={done.InvocationId}", host.Output);
    }

    [Fact]
    public async Task A_string_and_a_binary_parameter_bind_as_the_host_sends_them_with_the_trigger_metadata()
    {
        using var app = AppFolder.Create(new { version = "2.0" }, _scenario.Values());
        await using var host = await HostProcess.StartReadyAsync(app);

        var text = await _scenario.Queue(_scenario.StringQueue).SendMessageAsync("plain text");
        var bytes = new byte[] { 0, 1, 2, 250, 255 };
        var binary = await _scenario.Queue(_scenario.BytesQueue).SendMessageAsync(BinaryData.FromBytes(bytes));
        var markers = await _scenario.WaitForMarkersAsync(
            m => m.Any(x => x is { Function: "EchoString", Event: "completed" }) && m.Any(x => x is { Function: "EchoBytes", Event: "completed" }),
            "EchoString and EchoBytes completed", host);

        var str = markers.Single(x => x is { Function: "EchoString", Event: "completed" });
        Assert.Equal(("string", "plain text"), (str.Binding, str.Text));
        // The parameters id and dequeueCount bound from the trigger metadata (Id, DequeueCount as a JSON number).
        Assert.Equal((text.Value.MessageId, 1L), (str.MessageId, str.DequeueCount));
        var bin = markers.Single(x => x is { Function: "EchoBytes", Event: "completed" });
        Assert.Equal(("bytes", Convert.ToBase64String(bytes)), (bin.Binding, bin.Text));
        Assert.Equal(binary.Value.MessageId, bin.MessageId);
    }

    [Fact]
    public async Task A_user_exception_reaches_the_host_log_with_its_type_and_message()
    {
        var values = _scenario.Values();
        using var app = AppFolder.Create(new { version = "2.0", extensions = new { queues = new { maxDequeueCount = 1 } } }, values);
        await using var host = await HostProcess.StartReadyAsync(app);

        await _scenario.Queue(_scenario.EchoQueue).SendMessageAsync("throw");
        var markers = await _scenario.WaitForMarkersAsync(m => m.Any(x => x is { Function: "Echo", Event: "started" }), "Echo started", host);
        var invocation = markers.Single().InvocationId;
        await host.WaitForOutputAsync($"Executed 'Functions.Echo' (failed, Id={invocation}");

        Assert.Contains("System.InvalidOperationException: sample failure on delivery 1", host.Output);
        // The worker's own error log (an RpcLog) reached the console with its category and invocation id.
        Assert.Contains($"fail: Microsoft.Azure.Functions.Worker.FunctionsApplication", host.Output);
        Assert.Contains($"(invocation {invocation})", host.Output);
    }

    [Fact]
    public async Task FunctionTimeout_sends_InvocationCancel_and_counts_the_attempt_as_failed()
    {
        using var app = AppFolder.Create(new
        {
            version = "2.0",
            functionTimeout = "00:00:02",
            extensions = new { queues = new { maxDequeueCount = 2, maxPollingInterval = "00:00:01" } },
        }, _scenario.Values());
        await using var host = await HostProcess.StartReadyAsync(app);

        await _scenario.Queue(_scenario.EchoQueue).SendMessageAsync("wait");
        var markers = await _scenario.WaitForMarkersAsync(m => m.Count(x => x.Event == "cancelled") == 2, "two cancelled attempts", host);

        // The function saw its CancellationToken fire (InvocationCancel), on each of the two allowed deliveries.
        Assert.Equal([1L, 2L], markers.Where(x => x.Event == "cancelled").Select(x => x.DequeueCount).Order());
        Assert.Contains("(timed_out, Id=", host.Output);
        Assert.Contains("Timeout value of 00:00:02 was exceeded", host.Output);
        // Two failed attempts of two: poisoned, text unchanged (the client base64-encoded it).
        await Scenario.WaitUntilEmptyAsync(_scenario.RawQueue(_scenario.EchoQueue), "after the last attempt", host);
        Assert.Equal([Convert.ToBase64String("wait"u8)], await Scenario.PeekTextsAsync(_scenario.RawQueue(_scenario.EchoQueue + "-poison")));
        Assert.DoesNotContain("Recycling worker", host.Output);
    }
}
