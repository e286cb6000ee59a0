using System.Net;
using System.Text;
using Amqp;
using Amqp.Framing;
using Amqp.Types;
using Microsoft.Extensions.Hosting;
using Push.Hosting.Queues;
using Push.Hosting.ServiceBus;
using Push.Hosting.Tests.Infrastructure;

namespace Push.Hosting.Tests.ServiceBus;

/// <summary>The Service Bus specifics of the trigger, checked against <see cref="ServiceBusTestPeer"/>.</summary>
public sealed class ServiceBusProtocolTests
{
    private const string Key = "c2VjcmV0LWtleS1mb3ItdGVzdHM=";

    private static Dictionary<string, string?> Settings(ServiceBusTestPeer peer, string tokenLifetime = "01:00:00") => new()
    {
        ["ServiceBusConnection"] = peer.ConnectionString(Key),
        ["AzureFunctionsJobHost:extensions:serviceBus:tokenLifetime"] = tokenLifetime,
        ["AzureFunctionsJobHost:extensions:serviceBus:maxConcurrentCalls"] = "4",
    };

    private static string Queue() => "q" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Cbs_put_token_carries_the_documented_properties_and_a_verifiable_signature_and_is_renewed()
    {
        var queue = Queue();
        await using var peer = new ServiceBusTestPeer(queue);
        using var host = ServiceBusTestHost.Build(new ServiceBusProbe(), queue, Settings(peer, "00:00:02"));
        await host.StartAsync();
        try
        {
            // Lifetime 2 s, renewal at 80 %: a second put-token must come well before the first token expires.
            await Eventually.WaitAsync(() => peer.CbsRequests.Count >= 2, "a renewed put-token", TimeSpan.FromSeconds(10));
        }
        finally
        {
            await host.StopAsync();
        }

        var audience = $"sb://127.0.0.1/{queue}";
        var expiries = new List<long>();
        foreach (var request in peer.CbsRequests.Take(2))
        {
            Assert.Equal("put-token", request.ApplicationProperties["operation"]);
            Assert.Equal("servicebus.windows.net:sastoken", request.ApplicationProperties["type"]);
            Assert.Equal(audience, request.ApplicationProperties["name"]);
            var token = Assert.IsType<string>(request.Body);
            Assert.StartsWith("SharedAccessSignature ", token, StringComparison.Ordinal);
            var fields = token["SharedAccessSignature ".Length..].Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
            Assert.Equal(WebUtility.UrlEncode(audience), fields["sr"]);
            Assert.Equal("RootManageSharedAccessKey", fields["skn"]);
            Assert.Equal(SharedAccessSignature.Sign(fields["sr"], fields["se"], Key), WebUtility.UrlDecode(fields["sig"]));
            Assert.NotEqual(SharedAccessSignature.Sign(fields["sr"], fields["se"], "another-key"), WebUtility.UrlDecode(fields["sig"]));
            expiries.Add(long.Parse(fields["se"], System.Globalization.CultureInfo.InvariantCulture));
        }
        Assert.True(expiries[1] >= expiries[0], "the renewed token must not expire earlier");
    }

    [Fact]
    public async Task Settlements_map_to_accepted_modified_and_rejected_with_the_dead_letter_condition()
    {
        var queue = Queue();
        await using var peer = new ServiceBusTestPeer(queue);
        var probe = new ServiceBusProbe
        {
            Handler = (message, _) => message.MessageId switch
            {
                "complete" => Task.FromResult(QueueSettlement.Complete),
                "retry" => Task.FromResult(QueueSettlement.Retry(TimeSpan.Zero, "ProviderThrottled")),
                "dead" => Task.FromResult(QueueSettlement.DeadLetter("MalformedEvent", "no device token")),
                "last" => Task.FromResult(QueueSettlement.Retry(TimeSpan.Zero, "ProviderThrottled")),
                _ => throw new InvalidOperationException("function failed"),
            },
        };
        using var host = ServiceBusTestHost.Build(probe, queue, Settings(peer));
        await host.StartAsync();
        try
        {
            peer.Enqueue("complete", [1]);
            peer.Enqueue("retry", [2]);
            peer.Enqueue("dead", [3]);
            peer.Enqueue("throws", [4]);
            peer.Enqueue("last", [5], deliveryCount: 9); // delivery 10 of maxDeliveryCount 10
            await Eventually.WaitAsync(() => peer.Dispositions.Count >= 5, "five dispositions");
        }
        finally
        {
            await host.StopAsync();
        }
        var states = peer.Dispositions.ToDictionary(d => d.MessageId, d => d.State);
        Assert.IsType<Accepted>(states["complete"]);
        var abandon = Assert.IsType<Modified>(states["retry"]);
        Assert.False(abandon.DeliveryFailed);
        Assert.False(abandon.UndeliverableHere);
        var failed = Assert.IsType<Modified>(states["throws"]);
        Assert.False(failed.UndeliverableHere);
        AssertDeadLetter(states["dead"], "MalformedEvent", "no device token");
        AssertDeadLetter(states["last"], ServiceBusDeadLetterReasons.MaxDeliveryCountExceeded, null);
    }

    private static void AssertDeadLetter(DeliveryState state, string reason, string? description)
    {
        var rejected = Assert.IsType<Rejected>(state);
        Assert.Equal(new Symbol("com.microsoft:dead-letter"), rejected.Error.Condition);
        Assert.Equal(reason, rejected.Error.Info[new Symbol("DeadLetterReason")]);
        var text = Assert.IsType<string>(rejected.Error.Info[new Symbol("DeadLetterErrorDescription")]);
        if (description is not null) Assert.Equal(description, text);
    }

    [Fact]
    public void Defer_is_modified_undeliverable_here_and_rabbitmq_gets_released_instead_of_modified()
    {
        var defer = Assert.IsType<Modified>(ServiceBusDisposition.Defer());
        Assert.True(defer.UndeliverableHere);
        Assert.False(defer.DeliveryFailed);
        Assert.IsType<Released>(ServiceBusDisposition.Abandon(ServiceBusBroker.RabbitMq));
        Assert.IsType<Released>(ServiceBusDisposition.Defer(ServiceBusBroker.RabbitMq));
        Assert.IsType<Modified>(ServiceBusDisposition.Abandon());
    }

    [Fact]
    public void Dead_letter_addresses_are_the_subqueue_on_service_bus_and_the_poison_queue_on_rabbitmq()
    {
        Assert.Equal("push-events/$DeadLetterQueue", ServiceBusAddresses.DeadLetterQueue("push-events"));
        Assert.Equal("/amq/queue/push-events-poison", ServiceBusAddresses.DeadLetterQueue("push-events", ServiceBusBroker.RabbitMq));
        Assert.Equal("/amq/queue/push-events", ServiceBusAddresses.Queue("push-events", ServiceBusBroker.RabbitMq));
        Assert.Equal("push-events/$management", ServiceBusAddresses.Management("push-events"));
    }

    [Fact]
    public async Task Annotations_and_delivery_count_are_read_into_the_message()
    {
        var queue = Queue();
        await using var peer = new ServiceBusTestPeer(queue);
        var probe = new ServiceBusProbe();
        using var host = ServiceBusTestHost.Build(probe, queue, Settings(peer));
        await host.StartAsync();
        var enqueued = new DateTime(2026, 3, 1, 12, 30, 15, DateTimeKind.Utc);
        try
        {
            peer.Enqueue("annotated", Encoding.UTF8.GetBytes("{\"event\":1}"), deliveryCount: 2, enqueued: enqueued, sequenceNumber: 4711);
            await Eventually.WaitAsync(() => !probe.Calls.IsEmpty, "the function call");
        }
        finally
        {
            await host.StopAsync();
        }
        var message = Assert.Single(probe.Calls);
        Assert.Equal(queue, message.QueueName);
        Assert.Equal("annotated", message.MessageId);
        Assert.Equal("{\"event\":1}", message.Body.ToString());
        Assert.Equal(3, message.DequeueCount);
        Assert.Equal(10, message.MaxDequeueCount);
        Assert.Equal(new DateTimeOffset(enqueued), message.InsertedOn);

        var amqp = new Message
        {
            BodySection = new Data { Binary = [1] },
            MessageAnnotations = new MessageAnnotations { [ServiceBusReceivedMessage.SequenceNumberAnnotation] = 4711L },
        };
        Assert.Equal(4711L, ServiceBusReceivedMessage.From(amqp).SequenceNumber);
        Assert.Equal("4711", ServiceBusReceivedMessage.From(amqp).MessageId);
    }

    [Fact]
    public async Task A_slow_function_has_its_lock_renewed_through_the_management_node()
    {
        var queue = Queue();
        await using var peer = new ServiceBusTestPeer(queue) { LockDuration = TimeSpan.FromSeconds(1) };
        var renewed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = new ServiceBusProbe
        {
            Handler = async (_, ct) =>
            {
                await renewed.Task.WaitAsync(TimeSpan.FromSeconds(20), ct);
                return QueueSettlement.Complete;
            },
        };
        using var host = ServiceBusTestHost.Build(probe, queue, Settings(peer));
        await host.StartAsync();
        Guid lockToken;
        try
        {
            lockToken = peer.Enqueue("slow", [1]);
            await Eventually.WaitAsync(() => peer.ManagementRequests.Count >= 2, "two renew-lock requests");
            renewed.SetResult();
            await Eventually.WaitAsync(() => !peer.Dispositions.IsEmpty, "the completion");
        }
        finally
        {
            await host.StopAsync();
        }
        var request = peer.ManagementRequests.First();
        Assert.Equal("com.microsoft:renew-lock", request.ApplicationProperties["operation"]);
        var tokens = Assert.IsType<Guid[]>(Assert.IsType<Map>(request.Body)["lock-tokens"]);
        Assert.Equal(lockToken, Assert.Single(tokens));
        Assert.IsType<Accepted>(peer.Dispositions.Single().State);
        // The management node was authorised like the queue (same audience): no token for anything else.
        Assert.All(peer.CbsRequests, r => Assert.Equal($"sb://127.0.0.1/{queue}", r.ApplicationProperties["name"]));
    }

    [Fact]
    public async Task The_publisher_sends_with_the_tracking_id_as_message_id()
    {
        var queue = Queue();
        await using var peer = new ServiceBusTestPeer(queue);
        await using (var publisher = new ServiceBusEventPublisher(ServiceBusConnectionString.Parse(peer.ConnectionString(Key), "ServiceBusConnection")))
        {
            await publisher.SendAsync(queue, Encoding.UTF8.GetBytes("payload"), "track-123");
        }
        var sent = Assert.Single(peer.Received);
        Assert.Equal("track-123", sent.Properties.MessageId);
        Assert.Equal("payload", Encoding.UTF8.GetString(((Data)sent.BodySection).Binary));
        Assert.Contains(peer.CbsRequests, r => (string)r.ApplicationProperties["name"] == $"sb://127.0.0.1/{queue}");
    }

    [Theory]
    [InlineData("Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=rule", "'SharedAccessKey' is missing")]
    [InlineData("Endpoint=not a uri;SharedAccessKeyName=rule;SharedAccessKey=" + Key, "'Endpoint' must be an absolute sb:// URI")]
    [InlineData("SharedAccessKeyName=rule;SharedAccessKey=" + Key, "'Endpoint' is missing")]
    [InlineData("Endpoint=sb://ns/;SharedAccessKeyName=rule;SharedAccessKey=" + Key + ";TransportType=smoke", "'TransportType' must be")]
    public async Task A_wrong_connection_string_stops_the_host_naming_the_setting_without_the_key(string connectionString, string expected)
    {
        using var host = ServiceBusTestHost.Build(new ServiceBusProbe(), "events", new Dictionary<string, string?>
        {
            ["AzureWebJobsServiceBus"] = connectionString,
        });
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains("'AzureWebJobsServiceBus'", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_connection_setting_is_named()
    {
        using var host = ServiceBusTestHost.Build(new ServiceBusProbe(), "events", new Dictionary<string, string?>());
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains("'ServiceBusConnection'", error.Message, StringComparison.Ordinal);
    }
}
