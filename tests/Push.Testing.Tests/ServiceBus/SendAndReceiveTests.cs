using Azure.Messaging.ServiceBus;
using Push.Testing.ServiceBus;

namespace Push.Testing.Tests.ServiceBus;

public sealed class SendAndReceiveTests : EmulatorTest
{
    [Fact]
    public async Task A_sent_message_is_received_under_a_lock_and_completed()
    {
        await using var sender = Client.CreateSender(Queue);
        await sender.SendMessageAsync(new ServiceBusMessage("hello") { MessageId = "m-1", Subject = "greeting", ApplicationProperties = { ["tenant"] = "t1" } });
        await using var receiver = Client.CreateReceiver(Queue);

        var received = await ReceiveOneAsync(receiver);

        Assert.Equal(("hello", "m-1", "greeting", "t1"), (received.Body.ToString(), received.MessageId, received.Subject, received.ApplicationProperties["tenant"]));
        Assert.Equal(1, received.DeliveryCount);
        var atBroker = Assert.Single(Emulator.Messages(Queue));
        Assert.Equal(BrokerMessageState.Locked, atBroker.State);
        // The SDK read the lock token from the 16-byte delivery tag and the rest from the broker's annotations.
        Assert.Equal(atBroker.LockToken.ToString(), received.LockToken);
        Assert.Equal(atBroker.SequenceNumber, received.SequenceNumber);
        Assert.Equal(Milliseconds(atBroker.LockedUntil), Milliseconds(received.LockedUntil));
        Assert.Equal(Milliseconds(atBroker.EnqueuedTime), Milliseconds(received.EnqueuedTime));

        await receiver.CompleteMessageAsync(received);

        var settlement = Assert.Single(Emulator.Settlements);
        Assert.Equal((SettlementKind.Completed, SettlementSource.ReceiveLink, "m-1", 1, false),
            (settlement.Kind, settlement.Source, settlement.MessageId, settlement.DeliveryCount, settlement.LockLost));
        Assert.Equal(0, Emulator.Counts(Queue).InQueue);
        // A connection-string client authorizes each link with a shared access signature for the entity.
        Assert.Contains(Emulator.PutTokens, t => t is { TokenType: "servicebus.windows.net:sastoken", Audience: "amqp://127.0.0.1/q", Valid: true });
    }

    [Fact]
    public async Task A_batch_arrives_as_separate_messages()
    {
        await using var sender = Client.CreateSender(Queue);
        using var batch = await sender.CreateMessageBatchAsync();
        // The SDK sizes batches from the max-message-size the broker announced on attach.
        Assert.Equal(256 * 1024, batch.MaxSizeInBytes);
        foreach (var id in new[] { "b-1", "b-2", "b-3" }) Assert.True(batch.TryAddMessage(new ServiceBusMessage("body of " + id) { MessageId = id }));

        await sender.SendMessagesAsync(batch);

        var atBroker = Emulator.Messages(Queue);
        Assert.Equal(["b-1", "b-2", "b-3"], atBroker.Select(m => m.MessageId));
        Assert.Equal(["body of b-1", "body of b-2", "body of b-3"], atBroker.Select(m => System.Text.Encoding.UTF8.GetString(m.Body)));
        Assert.Equal([1L, 2L, 3L], atBroker.Select(m => m.SequenceNumber));
        await using var receiver = Client.CreateReceiver(Queue);
        foreach (var message in await ReceiveAsync(receiver, 3)) await receiver.CompleteMessageAsync(message);
        Assert.Equal(["b-1", "b-2", "b-3"], Emulator.Settlements.Where(s => s.Kind == SettlementKind.Completed).Select(s => s.MessageId).Order());
    }

    [Fact]
    public async Task The_sdk_keeps_to_the_link_limits_the_broker_announces()
    {
        await using var emulator = await ServiceBusEmulator.StartNewAsync(new ServiceBusEmulatorOptions { MaxMessageSize = 64 * 1024, MaxMessageBatchSize = 16 * 1024 });
        emulator.CreateQueue(Queue);
        await using var client = new ServiceBusClient(emulator.ConnectionString, ClientOptions());
        await using var sender = client.CreateSender(Queue);

        using var batch = await sender.CreateMessageBatchAsync();
        var tooLarge = await Assert.ThrowsAsync<ServiceBusException>(() => sender.SendMessageAsync(new ServiceBusMessage(new byte[70 * 1024])));

        Assert.Equal(16 * 1024, batch.MaxSizeInBytes);
        Assert.Equal(ServiceBusFailureReason.MessageSizeExceeded, tooLarge.Reason);
        Assert.Equal(0, emulator.Counts(Queue).InQueue);
        Assert.Empty(emulator.Faults);
    }

    [Fact]
    public async Task A_scheduled_message_appears_at_its_time_and_a_cancelled_one_never()
    {
        await using var sender = Client.CreateSender(Queue);
        var soon = DateTimeOffset.UtcNow.AddSeconds(1);
        var soonNumber = await sender.ScheduleMessageAsync(new ServiceBusMessage("soon") { MessageId = "s-1" }, soon);
        var laterNumber = await sender.ScheduleMessageAsync(new ServiceBusMessage("later") { MessageId = "s-2" }, soon.AddHours(1));
        var later = Assert.Single(Emulator.Messages(Queue), m => m.SequenceNumber == laterNumber);
        Assert.Equal((BrokerMessageState.Scheduled, Milliseconds(soon.AddHours(1))), (later.State, Milliseconds(later.ScheduledEnqueueTime)));

        await sender.CancelScheduledMessageAsync(laterNumber);
        await using var receiver = Client.CreateReceiver(Queue);
        var received = await ReceiveOneAsync(receiver);

        Assert.Equal((soonNumber, "s-1"), (received.SequenceNumber, received.MessageId));
        Assert.Equal(Milliseconds(soon), Milliseconds(received.ScheduledEnqueueTime));
        // Enqueued when its time came, not when it was scheduled.
        Assert.True(Milliseconds(received.EnqueuedTime) >= Milliseconds(soon), "enqueued before its scheduled time");
        await receiver.CompleteMessageAsync(received);
        Assert.Equal(0, Emulator.Counts(Queue).InQueue);
        Assert.Contains(Emulator.ManagementRequests, r => r is { Operation: "com.microsoft:cancel-scheduled-message", StatusCode: 200 });
    }

    [Fact]
    public async Task Receive_and_delete_removes_the_message_on_delivery()
    {
        await using var sender = Client.CreateSender(Queue);
        await sender.SendMessageAsync(new ServiceBusMessage("once") { MessageId = "r-1" });
        await using var receiver = Client.CreateReceiver(Queue, new ServiceBusReceiverOptions { ReceiveMode = ServiceBusReceiveMode.ReceiveAndDelete });

        var received = await ReceiveOneAsync(receiver);

        Assert.Equal("r-1", received.MessageId);
        Assert.Equal(0, Emulator.Counts(Queue).InQueue);
        var settlement = Assert.Single(Emulator.Settlements);
        Assert.Equal((SettlementKind.ReceivedAndDeleted, SettlementSource.ReceiveLink), (settlement.Kind, settlement.Source));
    }

    [Fact]
    public async Task Duplicate_detection_drops_a_second_send_with_the_same_message_id()
    {
        Emulator.CreateQueue("dedupe", new QueueOptions { DuplicateDetectionWindow = TimeSpan.FromMinutes(10) });
        await using var sender = Client.CreateSender("dedupe");

        await sender.SendMessageAsync(new ServiceBusMessage("first") { MessageId = "d-1" });
        await sender.SendMessageAsync(new ServiceBusMessage("retry") { MessageId = "d-1" });
        await sender.SendMessageAsync(new ServiceBusMessage("other") { MessageId = "d-2" });

        Assert.Equal(["first", "other"], Emulator.Messages("dedupe").Select(m => System.Text.Encoding.UTF8.GetString(m.Body)));
        Assert.Equal("d-1", Assert.Single(Emulator.DroppedDuplicates).MessageId);
    }

    [Fact]
    public async Task An_unknown_queue_is_reported_as_not_found()
    {
        await using var sender = Client.CreateSender("missing");

        var failure = await Assert.ThrowsAsync<ServiceBusException>(() => sender.SendMessageAsync(new ServiceBusMessage("x")));

        Assert.Equal(ServiceBusFailureReason.MessagingEntityNotFound, failure.Reason);
    }
}
