using LocalFunctionsHost.Configuration;

namespace LocalFunctionsHost.Queues;

/// <summary>
/// The wait after an empty receive: doubling from <see cref="QueuesOptions.MinPollingInterval"/> up to
/// maxPollingInterval, with ±20 % jitter so that instances started together do not poll in step.
/// </summary>
internal sealed class PollingBackoff(TimeSpan maximum)
{
    private TimeSpan _current = QueuesOptions.MinPollingInterval;

    public TimeSpan Next()
    {
        var jittered = _current * (0.8 + (Random.Shared.NextDouble() * 0.4));
        _current = _current * 2 > maximum ? maximum : _current * 2;
        return jittered > maximum ? maximum : jittered;
    }

    public void Reset() => _current = QueuesOptions.MinPollingInterval;
}
