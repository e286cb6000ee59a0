using Azure.Messaging.ServiceBus;
using Push.Testing.ServiceBus;

namespace Push.Testing.Tests.ServiceBus;

public sealed class SettlementTests : EmulatorTest
{
    [Fact]
    public async Task A_message_whose_receive_link_is_gone_is_completed_through_management()
    {
        await SendAsync(Queue, "g-1");
        await using var receiver = Client.CreateReceiver(Queue);
        var message = await ReceiveOneAsync(receiver);

        await Emulator.DetachReceiversAsync(Queue);
        // A receive opens the replacement link; the message is still locked, so it gets nothing.
        Assert.Null(await receiver.ReceiveMessageAsync(TimeSpan.FromMilliseconds(200)));
        // The new link does not know the old delivery tag, so the SDK settles by lock token through $management.
        await receiver.CompleteMessageAsync(message);

        var completed = Assert.Single(Emulator.Settlements);
        Assert.Equal((SettlementKind.Completed, SettlementSource.Management, "g-1", false),
            (completed.Kind, completed.Source, completed.MessageId, completed.LockLost));
        Assert.Contains(Emulator.ManagementRequests, r => r is { Operation: "com.microsoft:update-disposition", StatusCode: 200 });
        Assert.Equal(0, Emulator.Counts(Queue).InQueue);
    }

    [Fact]
    public async Task Stopping_the_emulator_releases_the_locks_and_a_restart_redelivers()
    {
        await SendAsync(Queue, "t-1");
        await using var receiver = Client.CreateReceiver(Queue);
        await ReceiveOneAsync(receiver);

        await Emulator.StopAsync();

        Assert.Equal([(SettlementKind.LockReleased, SettlementSource.Broker)], Emulator.Settlements.Select(s => (s.Kind, s.Source)));
        Assert.Equal((BrokerMessageState.Active, 0), (Assert.Single(Emulator.Messages(Queue)).State, Emulator.Counts(Queue).DeadLettered));
        await Emulator.StartAsync();
        var again = await ReceiveOneAsync(receiver);
        await receiver.CompleteMessageAsync(again);
        Assert.Equal(("t-1", 2), (again.MessageId, again.DeliveryCount));
    }

    [Fact]
    public async Task Closing_a_receiver_with_credit_on_an_empty_queue_gets_its_drain_answered()
    {
        var receiver = Client.CreateReceiver(Queue, new ServiceBusReceiverOptions { PrefetchCount = 10 });
        Assert.Null(await receiver.ReceiveMessageAsync(TimeSpan.FromMilliseconds(200)));

        // The SDK drains the credit it still has before it closes the link; an unanswered drain fails the close.
        await receiver.CloseAsync();

        Assert.Equal(1, Emulator.DrainsAnswered);
    }

    [Fact]
    public async Task An_abandoned_message_comes_back_with_its_delivery_counted_and_its_properties_modified()
    {
        await SendAsync(Queue, "a-1");
        await using var receiver = Client.CreateReceiver(Queue);

        await receiver.AbandonMessageAsync(await ReceiveOneAsync(receiver), new Dictionary<string, object> { ["attempt"] = 1 });
        var again = await ReceiveOneAsync(receiver);
        await receiver.CompleteMessageAsync(again);

        Assert.Equal(("a-1", 2, 1), (again.MessageId, again.DeliveryCount, again.ApplicationProperties["attempt"]));
        Assert.Equal([(SettlementKind.Abandoned, 1), (SettlementKind.Completed, 2)], Emulator.Settlements.Select(s => (s.Kind, s.DeliveryCount)));
    }

    [Fact]
    public async Task A_deferred_message_is_received_by_sequence_number_and_completed_through_management()
    {
        await SendAsync(Queue, "f-1");
        await using var receiver = Client.CreateReceiver(Queue);
        var first = await ReceiveOneAsync(receiver);

        await receiver.DeferMessageAsync(first);

        Assert.Equal(BrokerMessageState.Deferred, Assert.Single(Emulator.Messages(Queue)).State);
        Assert.Equal(ServiceBusMessageState.Deferred, Assert.Single(await receiver.PeekMessagesAsync(10)).State);
        var deferred = await receiver.ReceiveDeferredMessageAsync(first.SequenceNumber);
        Assert.Equal(("f-1", 2, ServiceBusMessageState.Deferred), (deferred.MessageId, deferred.DeliveryCount, deferred.State));
        await receiver.CompleteMessageAsync(deferred);

        Assert.Equal(0, Emulator.Counts(Queue).InQueue);
        Assert.Equal([(SettlementKind.Deferred, SettlementSource.ReceiveLink), (SettlementKind.Completed, SettlementSource.Management)],
            Emulator.Settlements.Select(s => (s.Kind, s.Source)));
        Assert.Contains(Emulator.ManagementRequests, r => r is { Operation: "com.microsoft:receive-by-sequence-number", StatusCode: 200 });
    }

    [Fact]
    public async Task A_dead_lettered_message_carries_its_reason_into_the_dead_letter_queue()
    {
        await SendAsync(Queue, "x-1");
        await using var receiver = Client.CreateReceiver(Queue);

        await receiver.DeadLetterMessageAsync(await ReceiveOneAsync(receiver), "BadPayload", "field 'token' is missing");

        var atBroker = Assert.Single(Emulator.DeadLetterMessages(Queue));
        Assert.Equal(("BadPayload", "field 'token' is missing"), (atBroker.DeadLetterReason, atBroker.DeadLetterErrorDescription));
        Assert.Equal(0, Emulator.Counts(Queue).InQueue);
        await using var deadLetters = Client.CreateReceiver(Queue, new ServiceBusReceiverOptions { SubQueue = SubQueue.DeadLetter });
        var dead = await ReceiveOneAsync(deadLetters);
        Assert.Equal(("x-1", "BadPayload", "field 'token' is missing"), (dead.MessageId, dead.DeadLetterReason, dead.DeadLetterErrorDescription));
        await deadLetters.CompleteMessageAsync(dead);

        Assert.Equal(0, Emulator.Counts(Queue).DeadLettered);
        Assert.Equal(
            [(SettlementKind.DeadLettered, false, "BadPayload", "field 'token' is missing"), (SettlementKind.Completed, true, null, null)],
            Emulator.Settlements.Select(s => (s.Kind, s.FromDeadLetterQueue, s.DeadLetterReason, s.DeadLetterErrorDescription)));
    }

    [Fact]
    public async Task Peeking_the_dead_letter_queue_shows_its_messages_without_locking_them()
    {
        await SendAsync(Queue, "p-1", "p-2");
        await using var receiver = Client.CreateReceiver(Queue);
        foreach (var message in await ReceiveAsync(receiver, 2)) await receiver.DeadLetterMessageAsync(message, "Triage", "for the list");
        await using var deadLetters = Client.CreateReceiver(Queue, new ServiceBusReceiverOptions { SubQueue = SubQueue.DeadLetter });

        var peeked = await deadLetters.PeekMessagesAsync(10);

        Assert.Equal(["p-1", "p-2"], peeked.Select(m => m.MessageId));
        Assert.All(peeked, m => Assert.Equal("Triage", m.DeadLetterReason));
        Assert.All(Emulator.DeadLetterMessages(Queue), m => Assert.Equal(BrokerMessageState.Active, m.State));
        Assert.Empty(await deadLetters.PeekMessagesAsync(10, fromSequenceNumber: peeked[^1].SequenceNumber + 1));
        Assert.Contains(Emulator.ManagementRequests, r => r is { Operation: "com.microsoft:peek-message", DeadLetterQueue: true, StatusCode: 204 });
    }

    [Fact]
    public async Task An_expired_lock_redelivers_the_message_and_a_late_complete_fails_with_MessageLockLost()
    {
        Emulator.CreateQueue("short-lock", new QueueOptions { LockDuration = TimeSpan.FromSeconds(1) });
        await SendAsync("short-lock", "e-1");
        await using var receiver = Client.CreateReceiver("short-lock");
        var first = await ReceiveOneAsync(receiver);

        await Emulator.WaitUntilAsync(() => Emulator.Settlements.Any(s => s.Kind == SettlementKind.LockExpired), "the first lock expired");
        var second = await ReceiveOneAsync(receiver);
        var late = await Assert.ThrowsAsync<ServiceBusException>(() => receiver.CompleteMessageAsync(first));
        await receiver.CompleteMessageAsync(second);

        Assert.Equal(ServiceBusFailureReason.MessageLockLost, late.Reason);
        Assert.Equal((first.SequenceNumber, 2), (second.SequenceNumber, second.DeliveryCount));
        Assert.NotEqual(first.LockToken, second.LockToken);
        Assert.Equal(
            [(SettlementKind.LockExpired, 1, false), (SettlementKind.Completed, 1, true), (SettlementKind.Completed, 2, false)],
            Emulator.Settlements.Select(s => (s.Kind, s.DeliveryCount, s.LockLost)));
    }

    [Fact]
    public async Task At_max_delivery_count_the_broker_dead_letters_with_MaxDeliveryCountExceeded()
    {
        Emulator.CreateQueue("twice", new QueueOptions { MaxDeliveryCount = 2 });
        await SendAsync("twice", "m-1");
        await using var receiver = Client.CreateReceiver("twice");

        await receiver.AbandonMessageAsync(await ReceiveOneAsync(receiver));
        await receiver.AbandonMessageAsync(await ReceiveOneAsync(receiver));

        Assert.Equal(0, Emulator.Counts("twice").InQueue);
        var deadLettered = Emulator.Settlements[^1];
        Assert.Equal((SettlementKind.DeadLettered, SettlementSource.Broker, "MaxDeliveryCountExceeded", 2),
            (deadLettered.Kind, deadLettered.Source, deadLettered.DeadLetterReason, deadLettered.DeliveryCount));
        await using var deadLetters = Client.CreateReceiver("twice", new ServiceBusReceiverOptions { SubQueue = SubQueue.DeadLetter });
        var dead = await ReceiveOneAsync(deadLetters);
        Assert.Equal(("m-1", "MaxDeliveryCountExceeded"), (dead.MessageId, dead.DeadLetterReason));
        Assert.Equal("Message could not be consumed after 2 delivery attempts.", dead.DeadLetterErrorDescription);
    }

    [Fact]
    public async Task A_dropped_connection_releases_its_locks_and_the_message_is_redelivered()
    {
        await SendAsync(Queue, "c-1");
        await using var receiver = Client.CreateReceiver(Queue);
        var first = await ReceiveOneAsync(receiver);

        await Emulator.DropConnectionsAsync();

        var released = Assert.Single(Emulator.Settlements);
        Assert.Equal((SettlementKind.LockReleased, first.SequenceNumber), (released.Kind, released.SequenceNumber));
        Assert.Equal((BrokerMessageState.Active, 1), Emulator.Messages(Queue).Select(m => (m.State, m.DeliveryCount)).Single());
        var again = await ReceiveOneAsync(receiver);
        await receiver.CompleteMessageAsync(again);
        Assert.Equal(("c-1", 2), (again.MessageId, again.DeliveryCount));
        Assert.Equal(0, Emulator.Counts(Queue).InQueue);
    }
}
