using System.Text;
using Push.Core.Events;
using Push.Sandbox;
using Push.Testing.ServiceBus;

namespace Push.EndToEnd.Tests.Infrastructure;

/// <summary>The same relay with <c>Queues__Transport=ServiceBus</c>: its events on the Service Bus emulator.</summary>
public class ServiceBusRelayEnvironment : RelayEnvironment
{
    protected override bool UsesServiceBus => true;

    /// <summary>The message in <paramref name="queue"/>'s dead-letter subqueue whose body is the event <paramref name="trackingId"/>.</summary>
    public BrokerMessage? DeadLetterOf(string queue, string trackingId) =>
        ServiceBus.DeadLetterMessages(queue).FirstOrDefault(m => Encoding.UTF8.GetString(m.Body).Contains(trackingId, StringComparison.Ordinal));

    /// <summary>
    /// A message for a new user's iPhone while APNs answers InternalServerError, until the retry budget is spent and the
    /// last retry copy is dead-lettered <c>RetriesExhausted</c>. The fault stays until the test clears it (the outage ends).
    /// </summary>
    public async Task<(TestDevice Iphone, PushEvent Event, BrokerMessage DeadLetter)> DeadLetterThroughAnOutageAsync()
    {
        var user = TestDevice.NewUser();
        var iphone = await RegisterAsync(TestDevice.IPhone(user));
        Sandbox.Faults.Add(new SandboxFault
        {
            Provider = SandboxProvider.Apns, DeviceToken = iphone.PushToken, Kind = SandboxFaultKind.Reject, Reason = "InternalServerError",
        });
        var im = await PublishAsync(new PushEventWriter("/e2e").Create(user, new ImMessageData("c", "m", new ImSender(null, "a@b.c"), "hi", 1)));
        var deadLetter = await WaitForDeadLetterAsync("push-messages", im.TrackingId, TimeSpan.FromSeconds(60));
        Assert.Equal("RetriesExhausted:InternalServerError", deadLetter.DeadLetterReason);
        return (iphone, im, deadLetter);
    }

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
