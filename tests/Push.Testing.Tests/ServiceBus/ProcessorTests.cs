using System.Collections.Concurrent;
using Azure.Messaging.ServiceBus;
using Push.Testing.ServiceBus;

namespace Push.Testing.Tests.ServiceBus;

public sealed class ProcessorTests : EmulatorTest
{
    [Fact]
    public async Task The_processor_runs_MaxConcurrentCalls_handlers_at_once_prefetches_and_completes_automatically()
    {
        var ids = Enumerable.Range(1, 8).Select(i => $"p-{i}").ToArray();
        await SendAsync(Queue, ids);
        var inFlight = 0;
        var mostInFlight = 0;
        var lockedWhileFourRan = 0;
        var fourRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handled = new ConcurrentQueue<string>();
        await using var processor = Client.CreateProcessor(Queue, new ServiceBusProcessorOptions
        {
            MaxConcurrentCalls = 4,
            PrefetchCount = 5,
            AutoCompleteMessages = true,
        });
        processor.ProcessMessageAsync += async args =>
        {
            var running = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref mostInFlight, running);
            if (running == 4)
            {
                // Only the first time four run together: the last four messages run together too, with nothing left to prefetch.
                var locked = Emulator.Counts(Queue).Locked;
                if (fourRunning.TrySetResult()) lockedWhileFourRan = locked;
            }

            // The first four wait for each other: they can only all get here if four handlers run at once.
            await fourRunning.Task.WaitAsync(Wait);
            handled.Enqueue(args.Message.MessageId);
            Interlocked.Decrement(ref inFlight);
        };
        var errors = CollectErrors(processor);

        await processor.StartProcessingAsync();
        await Emulator.WaitUntilAsync(() => Completed(Queue).Count == ids.Length, "all messages completed");
        await processor.StopProcessingAsync();

        Assert.Equal(4, mostInFlight);
        // Four in handlers and at least one more locked in the prefetch buffer.
        Assert.True(lockedWhileFourRan >= 5, $"{lockedWhileFourRan} messages were locked while four handlers ran");
        Assert.Equal(ids, handled.Order());
        Assert.All(Completed(Queue), s => Assert.Equal((SettlementSource.ReceiveLink, 1, false), (s.Source, s.DeliveryCount, s.LockLost)));
        Assert.Equal(ids, Completed(Queue).Select(s => s.MessageId).Order());
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Without_AutoCompleteMessages_the_handler_settles_and_the_processor_adds_nothing()
    {
        await SendAsync(Queue, "h-1");
        await using var processor = Client.CreateProcessor(Queue, new ServiceBusProcessorOptions { AutoCompleteMessages = false, MaxConcurrentCalls = 1 });
        processor.ProcessMessageAsync += args => args.Message.DeliveryCount == 1
            ? args.AbandonMessageAsync(args.Message)
            : args.CompleteMessageAsync(args.Message);
        var errors = CollectErrors(processor);

        await processor.StartProcessingAsync();
        await Emulator.WaitUntilAsync(() => Completed(Queue).Count == 1, "the second delivery completed");
        await processor.StopProcessingAsync();

        Assert.Equal([(SettlementKind.Abandoned, 1, false), (SettlementKind.Completed, 2, false)],
            Emulator.Settlements.Select(s => (s.Kind, s.DeliveryCount, s.LockLost)));
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Auto_lock_renewal_keeps_the_lock_while_a_handler_outlasts_the_lock_duration()
    {
        Emulator.CreateQueue("renewed", new QueueOptions { LockDuration = TimeSpan.FromSeconds(2) });
        await SendAsync("renewed", "l-1");
        var firstLockedUntil = DateTimeOffset.MinValue;
        await using var processor = Client.CreateProcessor("renewed", new ServiceBusProcessorOptions
        {
            MaxConcurrentCalls = 1,
            AutoCompleteMessages = true,
            MaxAutoLockRenewalDuration = TimeSpan.FromMinutes(1),
        });
        processor.ProcessMessageAsync += async args =>
        {
            firstLockedUntil = args.Message.LockedUntil;
            // Returns only once the SDK has renewed the lock three times, i.e. well past the first lock's expiry.
            await Emulator.WaitUntilAsync(() => Renewals("renewed") >= 3, "three lock renewals");
        };
        var errors = CollectErrors(processor);

        await processor.StartProcessingAsync();
        await Emulator.WaitUntilAsync(() => Completed("renewed").Count == 1, "the message completed");
        await processor.StopProcessingAsync();

        var completed = Assert.Single(Emulator.Settlements);
        Assert.Equal((SettlementKind.Completed, 1, false), (completed.Kind, completed.DeliveryCount, completed.LockLost));
        Assert.True(completed.At > firstLockedUntil, "the handler finished before the first lock would have expired");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task After_the_emulator_restarts_the_processor_reconnects_and_no_settled_message_comes_back()
    {
        var handled = new ConcurrentQueue<string>();
        await using var processor = Client.CreateProcessor(Queue, new ServiceBusProcessorOptions { AutoCompleteMessages = true, MaxConcurrentCalls = 2 });
        processor.ProcessMessageAsync += args =>
        {
            handled.Enqueue(args.Message.MessageId);
            return Task.CompletedTask;
        };
        var errors = CollectErrors(processor);
        await processor.StartProcessingAsync();
        await SendAsync(Queue, "before-1", "before-2", "before-3");
        await Emulator.WaitUntilAsync(() => Completed(Queue).Count == 3, "the first three completed");
        var tokensBeforeRestart = Emulator.PutTokens.Count;

        await Emulator.StopAsync();
        Assert.Equal(0, Emulator.OpenConnections);
        await Emulator.StartAsync();
        await SendAsync(Queue, "after-1", "after-2");
        await Emulator.WaitUntilAsync(() => Completed(Queue).Count == 5, "the two sent after the restart completed");
        await processor.StopProcessingAsync();

        Assert.Equal(["after-1", "after-2", "before-1", "before-2", "before-3"], handled.Order());
        Assert.Equal(handled.Order(), Completed(Queue).Select(s => s.MessageId).Order());
        Assert.Equal(0, Emulator.Counts(Queue).InQueue);
        // The reconnected links authorized again on the new connection.
        Assert.True(Emulator.PutTokens.Count > tokensBeforeRestart, "no put-token after the restart");
        // What the processor reports during the outage is the SDK's transient connection failure, nothing else.
        Assert.All(errors, e => Assert.True(e is ServiceBusException { IsTransient: true }, e.ToString()));
    }

    private List<Settlement> Completed(string queue) =>
        Emulator.Settlements.Where(s => s.Queue == queue && s.Kind == SettlementKind.Completed && !s.LockLost).ToList();

    private int Renewals(string queue) =>
        Emulator.ManagementRequests.Count(r => r is { Operation: "com.microsoft:renew-lock", StatusCode: 200 } && r.Queue == queue);

    private static ConcurrentQueue<Exception> CollectErrors(ServiceBusProcessor processor)
    {
        var errors = new ConcurrentQueue<Exception>();
        processor.ProcessErrorAsync += args =>
        {
            errors.Enqueue(args.Exception);
            return Task.CompletedTask;
        };
        return errors;
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current) return;
            current = seen;
        }
    }
}
