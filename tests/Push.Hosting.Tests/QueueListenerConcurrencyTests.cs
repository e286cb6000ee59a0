using Push.Hosting.Queues;
using Push.Hosting.Tests.Infrastructure;
using Push.Testing;

namespace Push.Hosting.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class QueueListenerConcurrencyTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_batch_runs_concurrently_and_the_next_batch_waits_for_newBatchThreshold()
    {
        var queue = new QueueScope(azurite);
        await queue.CreateAsync();
        await queue.SendManyAsync(Enumerable.Range(0, 12).Select(i => "m" + i));
        var probe = new FunctionProbe();
        var running = 0;
        var maxRunning = 0;
        var gate = new object();
        probe.Handle(queue.Name, async (_, _) =>
        {
            lock (gate)
            {
                running++;
                maxRunning = Math.Max(maxRunning, running);
            }
            // Each function holds its slot until a whole batch is running, so concurrency is observed, not timed.
            await Eventually.WaitAsync(() => Volatile.Read(ref maxRunning) >= 4, "four functions ran at once");
            await Task.Delay(50);
            lock (gate) running--;
            return QueueSettlement.Complete;
        });
        var settings = new Dictionary<string, string?>
        {
            [TestHost.Queues + "batchSize"] = "4",
            [TestHost.Queues + "newBatchThreshold"] = "0",
        };

        await using (await TestHost.StartAsync(azurite.ConnectionString, probe, settings, [queue.Name]))
        {
            await Eventually.WaitAsync(() => probe.CallsTo(queue.Name).Count == 12, "every message was delivered");
        }

        // ≥ batchSize at once, and never more than batchSize + newBatchThreshold (here 4 + 0).
        Assert.Equal(4, maxRunning);
    }

    [Fact]
    public async Task A_backlog_on_one_queue_does_not_delay_another_queue()
    {
        var busy = new QueueScope(azurite, "busy");
        var calls = new QueueScope(azurite, "calls");
        await busy.CreateAsync();
        await calls.CreateAsync();
        await busy.SendManyAsync(Enumerable.Range(0, 300).Select(i => "backlog " + i));
        var probe = new FunctionProbe();
        var callDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var busyCompleted = 0;
        var busyCompletedWhenCallDone = -1;
        var busyStartedWhenCallDone = -1;
        probe.Handle(busy.Name, async (_, _) =>
        {
            // The backlog's functions are slow: they hold every slot of their queue until the call has been handled.
            await callDone.Task.WaitAsync(TimeSpan.FromSeconds(30));
            Interlocked.Increment(ref busyCompleted);
            return QueueSettlement.Complete;
        });
        probe.Handle(calls.Name, (_, _) =>
        {
            busyCompletedWhenCallDone = Volatile.Read(ref busyCompleted);
            busyStartedWhenCallDone = probe.CallsTo(busy.Name).Count;
            callDone.TrySetResult();
            return Task.FromResult(QueueSettlement.Complete);
        });
        var settings = new Dictionary<string, string?>
        {
            [TestHost.Queues + "batchSize"] = "16",
            [TestHost.Queues + "newBatchThreshold"] = "8",
            ["AzureFunctionsJobHost:shutdownTimeout"] = "00:00:10",
        };

        await using (await TestHost.StartAsync(azurite.ConnectionString, probe, settings, [busy.Name, calls.Name]))
        {
            await Eventually.WaitAsync(() => probe.CallsTo(busy.Name).Count >= 16, "the backlog filled its queue's slots");
            await calls.SendAsync("ring");
            await callDone.Task.WaitAsync(TimeSpan.FromSeconds(20));
        }

        Assert.Equal(0, busyCompletedWhenCallDone);
        Assert.InRange(busyStartedWhenCallDone, 16, 16 + 8);
    }
}
