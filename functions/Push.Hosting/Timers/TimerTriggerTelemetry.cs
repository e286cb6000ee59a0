using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Push.Hosting.Timers;

/// <summary>The timer trigger's metrics (Meter "Push.Hosting", shared with the queue trigger) and one span per run.</summary>
internal sealed class TimerTriggerTelemetry
{
    public const string Name = "Push.Hosting";

    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly Counter<long> _runs;
    private readonly Counter<long> _leaseChanges;
    private readonly Histogram<double> _duration;

    public TimerTriggerTelemetry(IMeterFactory meterFactory)
    {
        // The factory hands back the same Meter for the same name, so queue and timer instruments sit side by side.
        var meter = meterFactory.Create(Name);
        _runs = meter.CreateCounter<long>("push.hosting.timer.runs", "{run}", "Timer function runs, by function and outcome");
        _leaseChanges = meter.CreateCounter<long>("push.hosting.timer.lease.changes", "{change}", "Timer leases acquired, lost and released by this instance");
        _duration = meter.CreateHistogram<double>("push.hosting.timer.function.duration", "s", "Timer function run time");
    }

    public void Ran(string function, string outcome, bool isPastDue, TimeSpan elapsed)
    {
        _runs.Add(1, Function(function), new("outcome", outcome), new("past_due", isPastDue));
        _duration.Record(elapsed.TotalSeconds, Function(function), new("outcome", outcome));
    }

    public void Lease(string function, string change) => _leaseChanges.Add(1, Function(function), new("change", change));

    private static KeyValuePair<string, object?> Function(string function) => new("function", function);
}
