using Azure.Data.Tables;
using Push.Core.Events;
using Push.Core.Ledger;
using Push.EndToEnd.Tests.Infrastructure;
using Push.Sandbox;
using Push.Testing.ServiceBus;

namespace Push.EndToEnd.Tests;

/// <summary>
/// The Service Bus transport under faults, on an environment of its own (the tests run one after another): a push
/// slower than the lock, the worker killed mid-batch, a function failing on every delivery (on both transports), and
/// the broker restarting. Each checks the broker's side (what was settled, how often, at which delivery count) as well
/// as what reached the devices.
/// </summary>
public sealed class ServiceBusFaultsEndToEndTests(ServiceBusFaultsEnvironment env) : IClassFixture<ServiceBusFaultsEnvironment>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private static PushEventWriter Producer => new("/e2e");

    private static PushEvent Im(string user, string preview = "hi") =>
        Producer.Create(user, new ImMessageData("c", "m", new ImSender(null, "a@b.c"), preview, 1));

    private List<Settlement> SettlementsOf(string messageId) => env.ServiceBus.Settlements.Where(s => s.MessageId == messageId).ToList();

    private Task WaitForCompletedAsync(string messageId) =>
        env.ServiceBus.WaitUntilAsync(() => SettlementsOf(messageId).Any(s => s.Kind == SettlementKind.Completed), $"{messageId} completed", Wait);

    [Fact]
    public async Task A_push_slower_than_the_lock_has_its_lock_renewed_and_is_completed_once_without_redelivery()
    {
        var user = TestDevice.NewUser();
        var iphone = await env.RegisterAsync(TestDevice.IPhone(user));
        // The provider answers after one and a half lock durations (5 s here), well within the provider timeout.
        var delay = RelayEnvironment.ServiceBusLockDuration * 1.6;
        Assert.True(delay < ServiceBusFaultsEnvironment.ProviderTimeout);
        env.Sandbox.Faults.Add(new SandboxFault
        {
            Provider = SandboxProvider.Apns, DeviceToken = iphone.PushToken, Kind = SandboxFaultKind.Delay, DelayMs = (int)delay.TotalMilliseconds, Times = 1,
        });
        var renewalsBefore = Renewals();

        var im = await env.PublishAsync(Im(user));

        await env.WaitForStatusAsync(im.TrackingId, iphone.DeviceId, DeliveryStatus.Delivered, Wait);
        await WaitForCompletedAsync(im.TrackingId);
        // One delivery, one settlement: the lock never ran out, so the message was neither redelivered nor settled late.
        var settled = Assert.Single(SettlementsOf(im.TrackingId));
        Assert.Equal((SettlementKind.Completed, 1, false), (settled.Kind, settled.DeliveryCount, settled.LockLost));
        Assert.True(Renewals() > renewalsBefore, "the processor renewed the lock while the push ran");
        var request = Assert.Single(env.Sandbox.AllRequests, r => r.DeviceToken == iphone.PushToken);
        Assert.Equal(SandboxFaultKind.Delay, request.Fault);
        Assert.Single(env.Sandbox.ApnsPushes, p => p.DeviceToken == iphone.PushToken);

        int Renewals() => env.ServiceBus.ManagementRequests.Count(r => r is { Queue: "push-messages", Operation: "com.microsoft:renew-lock", StatusCode: 200 });
    }

    [Fact]
    public async Task A_worker_killed_mid_batch_is_restarted_its_messages_come_back_and_no_device_with_an_outcome_is_pushed_twice()
    {
        var batch = await MidBatch.StartAsync(env, users: 4);
        Assert.All(batch.Events, e => Assert.Empty(SettlementsOf(e.TrackingId)));
        var worker = env.Relay!.WorkerProcessId();

        env.Relay.KillWorker();
        env.Sandbox.Faults.Clear();

        await batch.AssertEveryDevicePushedOnceAsync(env, Wait);
        Assert.NotEqual(worker, env.Relay.WorkerProcessId());
        foreach (var evt in batch.Events)
        {
            await WaitForCompletedAsync(evt.TrackingId);
            // The dead worker's lock ended (its connection went with it), the message came back once and was completed
            // on its second delivery; it never came near the dead-letter queue.
            var settlements = SettlementsOf(evt.TrackingId);
            Assert.Equal([SettlementKind.LockReleased, SettlementKind.Completed], settlements.Select(s => s.Kind));
            Assert.Equal(2, settlements[^1].DeliveryCount);
        }
    }

    [Fact]
    public async Task A_function_failing_on_every_delivery_is_dead_lettered_by_the_transport_and_triage_classes_it_from_the_ledger()
    {
        var registry = new TableServiceClient(env.Azurite.ConnectionString).GetTableClient("devices");
        // Two events meet a throttled provider first (a transient failure in the ledger), one per transport; their retry
        // comes back after Retry-After, by which time the registry is gone.
        var (sbThrottled, storageThrottled) = (await env.RegisterAsync(TestDevice.IPhone(TestDevice.NewUser())),
            await env.RegisterAsync(TestDevice.IPhone(TestDevice.NewUser())));
        foreach (var device in new[] { sbThrottled, storageThrottled })
        {
            env.Sandbox.Faults.Add(new SandboxFault
            {
                Provider = SandboxProvider.Apns, DeviceToken = device.PushToken, Kind = SandboxFaultKind.Reject, Reason = "TooManyRequests",
                RetryAfterSeconds = 10, Times = 1,
            });
        }
        var sbWithFailure = await env.PublishAsync(Im(sbThrottled.UserId));
        var storageWithFailure = Im(storageThrottled.UserId);
        await PublishOnStorageAsync(storageWithFailure);
        foreach (var (evt, device) in new[] { (sbWithFailure, sbThrottled), (storageWithFailure, storageThrottled) })
        {
            var pending = await env.WaitForStatusAsync(evt.TrackingId, device.DeviceId, DeliveryStatus.Pending, Wait);
            Assert.Equal("TooManyRequests", pending.Reason);
        }

        // The relay's own storage fails: every read of the registry throws, so the function fails on every delivery.
        await registry.DeleteAsync();
        PushEvent sbCountOnly, storageCountOnly = Im(TestDevice.NewUser());
        try
        {
            sbCountOnly = await env.PublishAsync(Im(TestDevice.NewUser()));
            await PublishOnStorageAsync(storageCountOnly);

            // Service Bus: abandoned on each of the queue's MaxDeliveryCount deliveries, then dead-lettered by the broker.
            foreach (var evt in new[] { sbWithFailure, sbCountOnly })
            {
                var deadLetter = await env.WaitForDeadLetterAsync("push-messages", evt.TrackingId, Wait);
                Assert.Equal("MaxDeliveryCountExceeded", deadLetter.DeadLetterReason);
                Assert.Equal(RelayEnvironment.MaxDequeueCount, deadLetter.DeliveryCount);
                var settlements = env.ServiceBus.Settlements.Where(s => s.SequenceNumber == deadLetter.SequenceNumber && s.Queue == "push-messages").ToList();
                Assert.Equal(Enumerable.Range(1, RelayEnvironment.MaxDequeueCount), settlements.Where(s => s.Kind == SettlementKind.Abandoned).Select(s => s.DeliveryCount));
                var last = settlements[^1];
                Assert.Equal((SettlementKind.DeadLettered, SettlementSource.Broker), (last.Kind, last.Source));
            }
            // Storage queues: moved unchanged to the poison queue on the maxDequeueCount-th delivery, with no reason of the relay's.
            foreach (var evt in new[] { storageWithFailure, storageCountOnly })
            {
                var entry = await PoisonQueue.WaitForAsync(env, "push-messages", evt.TrackingId, Wait);
                Assert.Equal("MaxDequeueCountExceeded", entry.Reason.ToString());
            }
        }
        finally
        {
            await registry.CreateIfNotExistsAsync();
        }

        // Triage names a class from the ledger's last failure: transient where a throttled provider is on record, and
        // permanent where the count is all there is (the function failed for a reason the ledger does not know).
        await AssertTriagedAsync(env.Settings(), sbWithFailure, "Transient (LastFailure:TooManyRequests)");
        await AssertTriagedAsync(env.Settings(), sbCountOnly, "Permanent (NoFailureRecorded)");
        await AssertTriagedAsync(env.StorageQueueSettings(), storageWithFailure, "Transient (LastFailure:TooManyRequests)");
        await AssertTriagedAsync(env.StorageQueueSettings(), storageCountOnly, "Permanent (NoFailureRecorded)");
    }

    private async Task PublishOnStorageAsync(PushEvent evt) =>
        await env.Queue("push-messages").SendMessageAsync(Convert.ToBase64String(PushEventWriter.Serialize(evt)));

    private static async Task AssertTriagedAsync(Dictionary<string, string?> settings, PushEvent evt, string expectedClass)
    {
        var list = await PushCli.RunAsync(settings, Path.GetTempPath(), "dlq", "list", "--queue", "messages");
        Assert.True(list.Exit == 0, list.Output);
        var line = Assert.Single(list.Output.Split('\n'), l => l.Contains(evt.TrackingId, StringComparison.Ordinal));
        var transport = settings.GetValueOrDefault("Queues__Transport") == "ServiceBus" ? "MaxDeliveryCountExceeded" : "MaxDequeueCountExceeded";
        Assert.Contains(transport, line, StringComparison.Ordinal);
        Assert.Contains(expectedClass.Split(' ')[0], line, StringComparison.Ordinal);

        var show = await PushCli.RunAsync(settings, Path.GetTempPath(), "dlq", "show", evt.TrackingId, "--queue", "messages");
        Assert.True(show.Exit == 0, show.Output);
        Assert.Contains($"Class:             {expectedClass}", show.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broker_restart_is_reconnected_and_neither_loses_nor_redelivers_a_settled_message()
    {
        var user = TestDevice.NewUser();
        var android = await env.RegisterAsync(TestDevice.Android(user));
        var before = await env.PublishAsync(Im(user, "before"));
        await env.WaitForStatusAsync(before.TrackingId, android.DeviceId, DeliveryStatus.Delivered, Wait);
        await WaitForCompletedAsync(before.TrackingId);
        var tokensBefore = env.ServiceBus.PutTokens.Count;

        // Every connection closed (amqp:connection:forced), as a service restart does; the queues keep their messages.
        // Then the new connections cut without a close, as a network failure does.
        await env.ServiceBus.StopAsync();
        await env.ServiceBus.StartAsync();
        await env.ServiceBus.WaitUntilAsync(() => env.ServiceBus.OpenConnections > 0, "the relay connected again");
        await env.ServiceBus.DropConnectionsAsync();

        // The new message meets an unavailable provider once: its retry copy is scheduled through the relay's cached
        // sender, which has to reconnect as well.
        env.Sandbox.Faults.Add(new SandboxFault { Provider = SandboxProvider.Fcm, DeviceToken = android.PushToken, Kind = SandboxFaultKind.Reject, Reason = "UNAVAILABLE", Times = 1 });
        var after = await env.PublishAsync(Im(user, "after"));
        await env.WaitForStatusAsync(after.TrackingId, android.DeviceId, DeliveryStatus.Delivered, Wait);
        await WaitForCompletedAsync(after.TrackingId);
        // The relay's processors connected again (and authenticated again) by themselves.
        Assert.True(env.ServiceBus.PutTokens.Skip(tokensBefore).Count(t => t.Audience.Contains("push-messages", StringComparison.Ordinal)) > 0,
            "the relay's receiver put a token on the new connection");
        foreach (var evt in new[] { before, after })
        {
            var settled = Assert.Single(SettlementsOf(evt.TrackingId));
            Assert.Equal((SettlementKind.Completed, 1), (settled.Kind, settled.DeliveryCount));
        }
        Assert.Equal(2, env.Sandbox.FcmMessages.Count(m => m.Token == android.PushToken));
        Assert.Equal(2, (await env.Ledger.GetAsync(after.TrackingId, default))[android.DeviceId].Attempts);
    }
}
