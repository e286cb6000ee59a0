using System.Collections.Concurrent;
using Push.Hosting.Queues;

namespace Push.Hosting.Tests.ServiceBus;

/// <summary>What the test function does and what it saw (a singleton shared by the scoped function instances).</summary>
public sealed class ServiceBusProbe
{
    public Func<QueueTriggerMessage, CancellationToken, Task<QueueSettlement>> Handler { get; set; } =
        (_, _) => Task.FromResult(QueueSettlement.Complete);

    public ConcurrentQueue<QueueTriggerMessage> Calls { get; } = new();
}
