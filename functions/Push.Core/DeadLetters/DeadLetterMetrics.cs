using System.Diagnostics.Metrics;

namespace Push.Core.DeadLetters;

/// <summary>Triage counters (Meter "Push.DeadLetters"), tagged by source queue and class.</summary>
public sealed class DeadLetterMetrics : IDisposable
{
    public const string MeterName = "Push.DeadLetters";

    private readonly Meter _meter;
    private readonly Counter<long> _replayed;
    private readonly Counter<long> _archived;
    private readonly Counter<long> _deferred;
    private readonly Counter<long> _failed;

    public DeadLetterMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(MeterName);
        _replayed = _meter.CreateCounter<long>("push.deadletters.replayed", description: "Dead letters sent back to their queue, by queue.");
        _archived = _meter.CreateCounter<long>("push.deadletters.archived", description: "Dead letters archived and removed, by queue and class.");
        _deferred = _meter.CreateCounter<long>("push.deadletters.deferred", description: "Transient dead letters left to cool down, by queue.");
        _failed = _meter.CreateCounter<long>("push.deadletters.failed", description: "Dead letters triage could not settle this run (left for the next), by queue.");
    }

    public void Replayed(string queue) => _replayed.Add(1, new KeyValuePair<string, object?>("queue", queue));

    public void Archived(string queue, DeadLetterClass cls) =>
        _archived.Add(1, new KeyValuePair<string, object?>("queue", queue), new KeyValuePair<string, object?>("class", cls.ToString()));

    public void Deferred(string queue) => _deferred.Add(1, new KeyValuePair<string, object?>("queue", queue));

    public void Failed(string queue) => _failed.Add(1, new KeyValuePair<string, object?>("queue", queue));

    public void Dispose() => _meter.Dispose();
}
