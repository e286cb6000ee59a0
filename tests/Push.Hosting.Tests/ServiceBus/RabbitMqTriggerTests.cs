using System.Text;
using Amqp;
using Amqp.Framing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Push.Hosting.Queues;
using Push.Hosting.ServiceBus;
using Push.Hosting.Tests.Infrastructure;
using Push.Testing;

namespace Push.Hosting.Tests.ServiceBus;

/// <summary>The trigger and publisher against a real RabbitMQ 3.10 speaking AMQP 1.0 (generic AMQP behaviour).</summary>
public sealed class RabbitMqTriggerTests(RabbitMqFixture rabbit) : IClassFixture<RabbitMqFixture>
{
    private static string Queue() => "sb-" + Guid.NewGuid().ToString("N")[..8];

    private ServiceBusEventPublisher Publisher() => new(
        ServiceBusConnectionString.Parse(rabbit.ConnectionString, "ServiceBusConnection"), ServiceBusAuthMode.SaslPlain, ServiceBusBroker.RabbitMq);

    private async Task<Connection> RawConnectionAsync() =>
        await new ConnectionFactory().CreateAsync(new Address("127.0.0.1", rabbit.Port, "guest", "guest", "/", "AMQP"));

    /// <summary>Reads (and accepts) what is on <paramref name="address"/> within a short wait.</summary>
    private async Task<List<Message>> DrainAsync(string address, TimeSpan wait)
    {
        var connection = await RawConnectionAsync();
        try
        {
            var session = new Session(connection);
            var receiver = new ReceiverLink(session, "drain-" + Guid.NewGuid().ToString("N")[..6], address);
            var messages = new List<Message>();
            while (await receiver.ReceiveAsync(wait) is { } message)
            {
                receiver.Accept(message);
                messages.Add(message);
            }
            return messages;
        }
        finally
        {
            await connection.CloseAsync();
        }
    }

    [Fact]
    public async Task A_sent_message_is_received_and_completed()
    {
        var queue = Queue();
        await rabbit.DeclareQueueAsync(queue);
        var probe = new ServiceBusProbe();
        using var host = ServiceBusTestHost.Build(probe, queue, rabbit.Settings());
        await host.StartAsync();
        try
        {
            await using (var publisher = Publisher())
            {
                await publisher.SendAsync(queue, Encoding.UTF8.GetBytes("hello"), "track-1");
            }
            await Eventually.WaitAsync(() => !probe.Calls.IsEmpty, "the function call");
        }
        finally
        {
            await host.StopAsync();
        }
        var call = Assert.Single(probe.Calls);
        Assert.Equal("track-1", call.MessageId);
        Assert.Equal("hello", call.Body.ToString());
        Assert.Equal(1, call.DequeueCount);
        Assert.Empty(await DrainAsync(ServiceBusAddresses.Queue(queue, ServiceBusBroker.RabbitMq), TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task A_dead_letter_settlement_is_rejected_into_the_poison_queue()
    {
        var queue = Queue();
        await rabbit.DeclareQueueAsync(queue);
        var probe = new ServiceBusProbe { Handler = (_, _) => Task.FromResult(QueueSettlement.DeadLetter("MalformedEvent", "bad")) };
        using var host = ServiceBusTestHost.Build(probe, queue, rabbit.Settings());
        await host.StartAsync();
        try
        {
            await using var publisher = Publisher();
            await publisher.SendAsync(queue, Encoding.UTF8.GetBytes("poison"), "track-dl");
            await Eventually.WaitAsync(() => !probe.Calls.IsEmpty, "the function call");
        }
        finally
        {
            await host.StopAsync();
        }
        var dead = await DrainAsync(ServiceBusAddresses.DeadLetterQueue(queue, ServiceBusBroker.RabbitMq), TimeSpan.FromSeconds(5));
        var message = Assert.Single(dead);
        Assert.Equal("track-dl", message.Properties.MessageId);
        Assert.Single(probe.Calls);
    }

    [Fact]
    public async Task A_failing_function_gets_the_message_again_and_is_dead_lettered_at_max_delivery_count()
    {
        var queue = Queue();
        await rabbit.DeclareQueueAsync(queue);
        var probe = new ServiceBusProbe { Handler = (_, _) => throw new InvalidOperationException("boom") };
        using var host = ServiceBusTestHost.Build(probe, queue, rabbit.Settings());
        await host.StartAsync();
        try
        {
            await using var publisher = Publisher();
            await publisher.SendAsync(queue, Encoding.UTF8.GetBytes("x"), "track-fail");
            // Abandon is "released" on RabbitMQ (it refuses "modified"): requeued at once; the trigger counts deliveries.
            await Eventually.WaitAsync(() => probe.Calls.Count >= 3, "three deliveries");
        }
        finally
        {
            await host.StopAsync();
        }
        Assert.Equal([1L, 2L, 3L], probe.Calls.Select(c => c.DequeueCount).Take(3).ToArray());
        Assert.All(probe.Calls, c => Assert.Equal("track-fail", c.MessageId));
        var dead = await DrainAsync(ServiceBusAddresses.DeadLetterQueue(queue, ServiceBusBroker.RabbitMq), TimeSpan.FromSeconds(5));
        Assert.Equal("track-fail", Assert.Single(dead).Properties.MessageId);
    }

    [Fact]
    public async Task Messages_held_by_a_host_that_dies_unsettled_are_redelivered_to_a_new_host()
    {
        var queue = Queue();
        await rabbit.DeclareQueueAsync(queue);
        await using (var publisher = Publisher())
        {
            for (var i = 0; i < 3; i++) await publisher.SendAsync(queue, Encoding.UTF8.GetBytes("m" + i), "track-crash-" + i);
        }

        // The dying host: takes the batch and drops its connection without a disposition.
        var dying = await RawConnectionAsync();
        var receiver = new ReceiverLink(new Session(dying), "dying", ServiceBusAddresses.Queue(queue, ServiceBusBroker.RabbitMq));
        receiver.SetCredit(10, autoRestore: false);
        var held = new List<Message>();
        while (held.Count < 3 && await receiver.ReceiveAsync(TimeSpan.FromSeconds(5)) is { } m) held.Add(m);
        Assert.Equal(3, held.Count);
        dying.Close(TimeSpan.Zero, null);

        var probe = new ServiceBusProbe();
        using var host = ServiceBusTestHost.Build(probe, queue, rabbit.Settings());
        await host.StartAsync();
        try
        {
            await Eventually.WaitAsync(() => probe.Calls.Count >= 3, "the three messages on the new host");
        }
        finally
        {
            await host.StopAsync();
        }
        Assert.Equal(["track-crash-0", "track-crash-1", "track-crash-2"], probe.Calls.Select(c => c.MessageId).Order().ToArray());
    }

    [Fact]
    public async Task The_trigger_reconnects_after_the_broker_restarts()
    {
        var queue = Queue();
        await rabbit.DeclareQueueAsync(queue);
        var probe = new ServiceBusProbe();
        using var host = ServiceBusTestHost.Build(probe, queue, rabbit.Settings());
        await host.StartAsync();
        var listener = host.Services.GetRequiredService<ServiceBusTriggerHostedService>().Listeners.Single();
        try
        {
            await Eventually.WaitAsync(() => listener.AttachCount >= 1, "the first attach");
            await rabbit.RestartAppAsync();
            await Eventually.WaitAsync(() => listener.AttachCount >= 2, "a re-attach after the restart", TimeSpan.FromSeconds(60));
            await using var publisher = Publisher();
            await publisher.SendAsync(queue, Encoding.UTF8.GetBytes("after"), "track-after-restart");
            await Eventually.WaitAsync(() => !probe.Calls.IsEmpty, "the message sent after the restart");
        }
        finally
        {
            await host.StopAsync();
        }
        Assert.Equal("track-after-restart", Assert.Single(probe.Calls).MessageId);
    }
}
