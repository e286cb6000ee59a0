using LocalFunctionsHost.Rpc;
using Microsoft.Extensions.Logging.Abstractions;

namespace LocalFunctionsHost.Tests;

/// <summary>The channel's bookkeeping when the worker's stream ends and its process exits at the same moment.</summary>
public sealed class WorkerChannelTests
{
    [Fact]
    public async Task Two_closes_at_once_both_see_every_outstanding_invocation_counted_and_failed()
    {
        // The supervisor closes the channel when the process exits and reads LostInvocations at once, while the
        // stream's end may be closing it on another thread: the count it reads must be the final one, every time.
        for (var round = 0; round < 200; round++)
        {
            var channel = new WorkerChannel("worker-" + round, new WorkerLogSink(NullLoggerFactory.Instance), NullLogger.Instance);
            var invocations = Enumerable.Range(0, 32)
                .Select(i => channel.InvokeAsync(new InvocationRequest { InvocationId = $"{round}-{i}" }))
                .ToList();
            using var start = new Barrier(2);

            var streamEnd = Task.Run(() => { start.SignalAndWait(); channel.Close("the worker's stream ended"); });
            var countSeenBySupervisor = await Task.Run(() =>
            {
                start.SignalAndWait();
                channel.Close("the worker process exited");
                return channel.LostInvocations;
            });
            await streamEnd;

            Assert.Equal(32, countSeenBySupervisor);
            Assert.True(channel.Closed.IsCompleted);
            foreach (var invocation in invocations)
            {
                await Assert.ThrowsAsync<WorkerLostException>(() => invocation);
            }
        }
    }

    [Fact]
    public async Task An_invocation_sent_after_the_close_fails_at_once_instead_of_waiting_forever()
    {
        var channel = new WorkerChannel("worker", new WorkerLogSink(NullLoggerFactory.Instance), NullLogger.Instance);
        channel.Close("the worker's stream ended");

        var late = channel.InvokeAsync(new InvocationRequest { InvocationId = "late" });

        var error = await Assert.ThrowsAsync<WorkerLostException>(() => late);
        Assert.Contains("already ended", error.Message);
    }
}
