using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace LocalFunctionsHost.Telemetry;

/// <summary>
/// Meter <c>LocalFunctionsHost</c>: invocations by function and outcome, their duration, messages the host moved to a
/// poison queue, and worker restarts. Nothing in it knows what the app does.
/// </summary>
internal sealed class HostTelemetry
{
    public const string MeterName = "LocalFunctionsHost";

    private readonly Counter<long> _invocations;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _poisoned;
    private readonly Counter<long> _workerRestarts;

    public HostTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _invocations = meter.CreateCounter<long>("localfunctionshost.invocations", "{invocation}", "Function invocations, by function and outcome");
        _duration = meter.CreateHistogram<double>("localfunctionshost.invocation.duration", "s",
            "Time from sending an InvocationRequest to its response, by function and outcome");
        _poisoned = meter.CreateCounter<long>("localfunctionshost.queue.poisoned", "{message}",
            "Messages the host copied to <queue>-poison, by queue and reason (max_dequeue_count or undecodable)");
        _workerRestarts = meter.CreateCounter<long>("localfunctionshost.worker.restarts", "{restart}", "Worker processes restarted after they died");
    }

    public void Invoked(string function, string outcome, TimeSpan elapsed)
    {
        var tags = new TagList { { "function", function }, { "outcome", outcome } };
        _invocations.Add(1, tags);
        _duration.Record(elapsed.TotalSeconds, tags);
    }

    public void Poisoned(string queue, string reason) => _poisoned.Add(1, new("queue", queue), new("reason", reason));

    public void WorkerRestarted() => _workerRestarts.Add(1);
}
