using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Push.Hosting.Queues;

/// <summary>The queue trigger's metrics (Meter "Push.Hosting") and invocation spans (ActivitySource "Push.Hosting").</summary>
internal sealed class QueueTriggerTelemetry
{
    public const string Name = "Push.Hosting";

    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly Counter<long> _received;
    private readonly Counter<long> _completed;
    private readonly Counter<long> _retried;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _deadLettered;
    private readonly Counter<long> _released;
    private readonly Histogram<double> _duration;

    public QueueTriggerTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Name);
        _received = meter.CreateCounter<long>("push.hosting.queue.messages.received", "{message}", "Messages received by a queue trigger");
        _completed = meter.CreateCounter<long>("push.hosting.queue.messages.completed", "{message}", "Messages deleted after their function completed");
        _retried = meter.CreateCounter<long>("push.hosting.queue.messages.retried", "{message}", "Messages put back with a delay at the function's request");
        _failed = meter.CreateCounter<long>("push.hosting.queue.messages.failed", "{message}", "Invocations that threw or timed out");
        _deadLettered = meter.CreateCounter<long>("push.hosting.queue.messages.dead_lettered", "{message}", "Messages moved to the poison queue");
        _released = meter.CreateCounter<long>("push.hosting.queue.messages.released", "{message}", "Messages made visible again at shutdown");
        _duration = meter.CreateHistogram<double>("push.hosting.queue.function.duration", "s", "Function invocation time");
    }

    public void Received(string queue) => _received.Add(1, Queue(queue));

    public void Completed(string queue) => _completed.Add(1, Queue(queue));

    public void Retried(string queue) => _retried.Add(1, Queue(queue));

    public void Failed(string queue, string reason) => _failed.Add(1, Queue(queue), new("reason", reason));

    public void DeadLettered(string queue, string reason) => _deadLettered.Add(1, Queue(queue), new("reason", reason));

    public void Released(string queue) => _released.Add(1, Queue(queue));

    public void Invoked(string queue, TimeSpan elapsed, string outcome) =>
        _duration.Record(elapsed.TotalSeconds, Queue(queue), new("outcome", outcome));

    private static KeyValuePair<string, object?> Queue(string queue) => new("queue", queue);
}
