using Push.Core.Delivery;

namespace Push.Core.Queues;

/// <summary>
/// Configuration section "Queues": the queue each function listens to, and the transport. The same app settings name
/// the queues in the trigger attributes (<c>%Queues:Calls%</c>), so the Functions host and the relay always agree.
/// </summary>
public sealed class QueueNames
{
    public const string SectionName = "Queues";

    public string Calls { get; set; } = "push-calls";

    public string Messages { get; set; } = "push-messages";

    public string Devices { get; set; } = "push-devices";

    /// <summary><c>StorageQueues</c> (default) or <c>ServiceBus</c>: where the events arrive.</summary>
    public QueueTransport Transport { get; set; } = QueueTransport.StorageQueues;

    public string For(EventRoute route) => route switch
    {
        EventRoute.Calls => Calls,
        EventRoute.Messages => Messages,
        EventRoute.Devices => Devices,
        _ => throw new ArgumentOutOfRangeException(nameof(route), route, "not a queue route"),
    };

    /// <summary>The calls, messages and devices queues, in that order.</summary>
    public IReadOnlyList<string> All => [Calls, Messages, Devices];
}

/// <summary>Where the relay's events arrive.</summary>
public enum QueueTransport
{
    StorageQueues,
    ServiceBus,
}
