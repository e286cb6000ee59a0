using System.Text;
using Push.Testing.ServiceBus;

namespace Push.EndToEnd.Tests.Infrastructure;

/// <summary>The same relay with <c>Queues__Transport=ServiceBus</c>: its events on the Service Bus emulator.</summary>
public class ServiceBusRelayEnvironment : RelayEnvironment
{
    protected override bool UsesServiceBus => true;

    /// <summary>The message in <paramref name="queue"/>'s dead-letter subqueue whose body is the event <paramref name="trackingId"/>.</summary>
    public BrokerMessage? DeadLetterOf(string queue, string trackingId) =>
        ServiceBus.DeadLetterMessages(queue).FirstOrDefault(m => Encoding.UTF8.GetString(m.Body).Contains(trackingId, StringComparison.Ordinal));

    /// <summary>Waits for the dead letter of event <paramref name="trackingId"/> on <paramref name="queue"/> and gives it back.</summary>
    public async Task<BrokerMessage> WaitForDeadLetterAsync(string queue, string trackingId, TimeSpan? timeout = null)
    {
        await ServiceBus.WaitUntilAsync(() => DeadLetterOf(queue, trackingId) is not null, $"{trackingId} in the dead-letter queue of {queue}", timeout);
        return DeadLetterOf(queue, trackingId)!;
    }
}

/// <summary>Tests that share one Service Bus emulator, Azurite, sandbox and relay.</summary>
[CollectionDefinition(Name)]
public sealed class ServiceBusRelayCollection : ICollectionFixture<ServiceBusRelayEnvironment>
{
    public const string Name = "relay-servicebus";
}
