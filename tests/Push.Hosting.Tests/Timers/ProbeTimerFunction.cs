using Push.Hosting.Tests.Infrastructure;
using Push.Hosting.Timers;

namespace Push.Hosting.Tests.Timers;

/// <summary>The timer function the test hosts bind: it hands each run to the shared <see cref="TimerProbe"/>.</summary>
public sealed class ProbeTimerFunction(TimerProbe probe, HostLabel host) : ITimerTriggeredFunction
{
    public Task RunAsync(TimerTriggerInfo timer, CancellationToken cancellationToken) => probe.RunAsync(host.Name, timer, cancellationToken);
}
