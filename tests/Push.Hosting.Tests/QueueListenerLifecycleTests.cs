using Push.Hosting.Queues;
using Push.Hosting.Tests.Infrastructure;
using Push.Testing;

namespace Push.Hosting.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class QueueListenerLifecycleTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Shutdown_finishes_what_ends_within_the_grace_period_and_releases_the_rest()
    {
        var queue = new QueueScope(azurite);
        await queue.CreateAsync();
        await queue.SendAsync("slow");
        await queue.SendAsync("quick");
        var probe = new FunctionProbe();
        var started = 0;
        var slowCancelled = false;
        probe.Handle(queue.Name, async (message, cancellationToken) =>
        {
            Interlocked.Increment(ref started);
            if (message.Body.ToString() == "quick")
            {
                await Task.Delay(300, CancellationToken.None);
                return QueueSettlement.Complete;
            }
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                slowCancelled = true;
                throw;
            }
            return QueueSettlement.Complete;
        });
        var settings = new Dictionary<string, string?> { ["AzureFunctionsJobHost:shutdownTimeout"] = "00:00:01" };

        var host = await TestHost.StartAsync(azurite.ConnectionString, probe, settings, [queue.Name]);
        await using (host)
        {
            await Eventually.WaitAsync(() => Volatile.Read(ref started) == 2, "both functions started");
            await host.StopAsync();
        }

        Assert.True(slowCancelled, "the function still running at the end of the grace period saw its token cancelled");
        // Visible again at once (a peek sees only visible messages), not deleted, and not counted as a further delivery.
        var left = Assert.Single(await queue.PeekAsync());
        Assert.Equal("slow", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(left.Body.ToString())));
        Assert.Equal(1, left.DequeueCount);
        Assert.Empty(await queue.PeekPoisonAsync());
        Assert.Equal(2, probe.CallsTo(queue.Name).Count);
    }

    [Fact]
    public async Task The_lease_is_renewed_while_a_function_outlives_it()
    {
        var queue = new QueueScope(azurite);
        await queue.CreateAsync();
        await queue.SendAsync("long running");
        var probe = new FunctionProbe();
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        probe.Handle(queue.Name, async (_, _) =>
        {
            // Well past two leases, so without renewal the other host would receive it meanwhile.
            await Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None);
            finished.TrySetResult();
            return QueueSettlement.Complete;
        });
        var settings = new Dictionary<string, string?> { [TestHost.Queues + "leaseDuration"] = "00:00:02" };

        await using (var first = await TestHost.StartAsync(azurite.ConnectionString, probe, settings, [queue.Name], "first"))
        {
            await Eventually.WaitAsync(() => probe.Calls.Count == 1, "the first host took the message");
            await using var second = await TestHost.StartAsync(azurite.ConnectionString, probe, settings, [queue.Name], "second");
            await finished.Task.WaitAsync(TimeSpan.FromSeconds(20));
            // The delete used the latest pop receipt, after several renewals.
            await Eventually.WaitAsync(async () => (await queue.PeekAsync()).Length == 0, "the message was deleted");
        }

        var call = Assert.Single(probe.Calls);
        Assert.Equal("first", call.Host);
        Assert.Empty(await queue.PeekPoisonAsync());
    }

    [Fact]
    public async Task Two_hosts_on_one_queue_share_the_work_and_process_each_message_once()
    {
        var queue = new QueueScope(azurite);
        await queue.CreateAsync();
        const int count = 200;
        await queue.SendManyAsync(Enumerable.Range(0, count).Select(i => "m" + i));
        var probe = new FunctionProbe();
        probe.Handle(queue.Name, async (_, _) =>
        {
            await Task.Delay(10);
            return QueueSettlement.Complete;
        });
        var settings = new Dictionary<string, string?> { [TestHost.Queues + "batchSize"] = "8" };

        await using (var first = await TestHost.StartAsync(azurite.ConnectionString, probe, settings, [queue.Name], "first"))
        await using (var second = await TestHost.StartAsync(azurite.ConnectionString, probe, settings, [queue.Name], "second"))
        {
            await Eventually.WaitAsync(() => probe.Calls.Select(c => c.Message.Body.ToString()).Distinct().Count() == count,
                "every message was processed");
            await Eventually.WaitAsync(async () => (await queue.PeekAsync()).Length == 0, "the queue drained");
        }

        var calls = probe.CallsTo(queue.Name);
        Assert.Equal(count, calls.Count);
        Assert.Equal(count, calls.Select(c => c.Message.MessageId).Distinct().Count());
        Assert.Contains(calls, c => c.Host == "first");
        Assert.Contains(calls, c => c.Host == "second");
    }

    [Fact]
    public async Task A_function_past_functionTimeout_is_cancelled_and_counts_as_a_failure()
    {
        var queue = new QueueScope(azurite);
        await queue.CreateAsync();
        await queue.SendAsync("hangs");
        var probe = new FunctionProbe();
        probe.Handle(queue.Name, async (_, cancellationToken) =>
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return QueueSettlement.Complete;
        });
        var settings = new Dictionary<string, string?>
        {
            ["AzureFunctionsJobHost:functionTimeout"] = "00:00:01",
            [TestHost.Queues + "maxDequeueCount"] = "1",
        };

        await using (await TestHost.StartAsync(azurite.ConnectionString, probe, settings, [queue.Name]))
        {
            await Eventually.WaitAsync(async () => (await queue.PeekPoisonAsync()).Length == 1, "the message was poisoned");
        }

        var record = Assert.Single(await queue.DeadLettersAsync());
        Assert.Equal(DeadLetterReasons.MaxDequeueCountExceeded, record.Reason);
        Assert.StartsWith("FunctionTimeout", record.Description, StringComparison.Ordinal);
        Assert.Equal(typeof(TaskCanceledException).FullName, record.ExceptionType);
        Assert.Single(probe.Calls);
    }
}
