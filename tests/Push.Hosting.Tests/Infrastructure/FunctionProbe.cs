using System.Collections.Concurrent;
using Push.Hosting.Queues;

namespace Push.Hosting.Tests.Infrastructure;

public delegate Task<QueueSettlement> Handler(QueueTriggerMessage message, CancellationToken cancellationToken);

/// <summary>Shared by the test hosts: says how each queue's messages are handled and records every invocation.</summary>
public sealed class FunctionProbe
{
    private readonly ConcurrentDictionary<string, Handler> _handlers = new();

    public ConcurrentQueue<Invocation> Calls { get; } = new();

    public void Handle(string queueName, Handler handler) => _handlers[queueName] = handler;

    public IReadOnlyList<Invocation> CallsTo(string queueName) => Calls.Where(c => c.Message.QueueName == queueName).ToList();

    internal Task<QueueSettlement> RunAsync(string host, QueueTriggerMessage message, CancellationToken cancellationToken)
    {
        Calls.Enqueue(new Invocation(host, message, DateTimeOffset.UtcNow));
        return _handlers.TryGetValue(message.QueueName, out var handler)
            ? handler(message, cancellationToken)
            : Task.FromResult(QueueSettlement.Complete);
    }

    public sealed record Invocation(string Host, QueueTriggerMessage Message, DateTimeOffset At);
}
