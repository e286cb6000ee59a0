using Push.Hosting.Queues;

namespace Push.Hosting.Tests.Infrastructure;

/// <summary>The function the test hosts bind: it hands each message to the shared <see cref="FunctionProbe"/>.</summary>
public sealed class ProbeFunction(FunctionProbe probe, HostLabel host) : IQueueTriggeredFunction
{
    public Task<QueueSettlement> RunAsync(QueueTriggerMessage message, CancellationToken cancellationToken) =>
        probe.RunAsync(host.Name, message, cancellationToken);
}

public sealed record HostLabel(string Name);
