using Push.Hosting.Queues;

namespace Push.Hosting.Tests.ServiceBus;

/// <summary>The function under the trigger: records the call and runs the probe's handler.</summary>
public sealed class ServiceBusProbeFunction(ServiceBusProbe probe) : IQueueTriggeredFunction
{
    public Task<QueueSettlement> RunAsync(QueueTriggerMessage message, CancellationToken cancellationToken)
    {
        probe.Calls.Enqueue(message);
        return probe.Handler(message, cancellationToken);
    }
}
