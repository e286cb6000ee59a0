using Amqp;

namespace Push.Hosting.ServiceBus;

/// <summary>A delivery between its arrival and its one settlement (claimed once, whoever gets there first).</summary>
internal sealed class ServiceBusInFlightMessage(ReceiverLink link, Message message, ServiceBusReceivedMessage received, DateTimeOffset receivedOn)
{
    private int _settled;

    public ReceiverLink Link { get; } = link;
    public Message Message { get; } = message;
    public ServiceBusReceivedMessage Received { get; } = received;
    public DateTimeOffset ReceivedOn { get; } = receivedOn;
    public long DeliveryCount { get; set; } = received.DeliveryCount;
    public DateTimeOffset? LockedUntil { get; set; } = received.LockedUntil;
    public TaskCompletionSource Finished { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>True for the one caller allowed to settle.</summary>
    public bool TryClaimSettlement() => Interlocked.Exchange(ref _settled, 1) == 0;
}
