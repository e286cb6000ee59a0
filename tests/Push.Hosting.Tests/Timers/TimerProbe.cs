using System.Collections.Concurrent;
using Push.Hosting.Timers;

namespace Push.Hosting.Tests.Timers;

/// <summary>Shared by the test hosts' timer functions: records every run, which host ran it, and how many ran at once.</summary>
public sealed class TimerProbe
{
    private int _running;
    private int _maxConcurrent;
    private int _completed;

    public ConcurrentQueue<TimerRun> Runs { get; } = new();

    /// <summary>Optional work per run (for example, throwing); the default is a short real delay so overlapping runs would show.</summary>
    public Func<TimerTriggerInfo, CancellationToken, Task>? Handler { get; set; }

    public int MaxConcurrent => Volatile.Read(ref _maxConcurrent);

    /// <summary>Runs that returned or threw.</summary>
    public int Completed => Volatile.Read(ref _completed);

    public IReadOnlyList<TimerRun> Snapshot() => Runs.ToList();

    internal async Task RunAsync(string host, TimerTriggerInfo info, CancellationToken cancellationToken)
    {
        var running = Interlocked.Increment(ref _running);
        int max;
        while (running > (max = Volatile.Read(ref _maxConcurrent)) && Interlocked.CompareExchange(ref _maxConcurrent, running, max) != max)
        {
        }
        Runs.Enqueue(new TimerRun(host, info));
        try
        {
            if (Handler is { } handler) await handler(info, cancellationToken);
            else await Task.Delay(20, CancellationToken.None);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
            Interlocked.Increment(ref _completed);
        }
    }

    public sealed record TimerRun(string Host, TimerTriggerInfo Info);
}
