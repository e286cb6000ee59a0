using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Push.Hosting.Timers;

namespace Push.Hosting.Tests.Timers;

/// <summary>
/// One started function host with timer triggers. <see cref="StopAsync"/> stops it gracefully (SIGTERM);
/// <see cref="CrashAsync"/> simulates a crash in-process: the timer runtime is abandoned (its loops end, nothing more is
/// written, the lease is neither renewed nor released) and the host is disposed without being stopped, so the lease
/// stays on the blob until storage expires it — what a killed process leaves behind.
/// </summary>
public sealed class TimerHost(string label, IHost host) : IAsyncDisposable
{
    private bool _ended;

    public string Label { get; } = label;

    public IHost Host { get; } = host;

    internal TimerTriggerHostedService Timers =>
        Host.Services.GetServices<IHostedService>().OfType<TimerTriggerHostedService>().Single();

    public bool HoldsLease(string functionName) => !_ended && Timers.HoldsLease(functionName);

    /// <summary>The occurrence this instance's timer waits for, once it holds the lease and has read the schedule status.</summary>
    public DateTimeOffset? WaitingFor(string functionName) => _ended ? null : Timers.WaitingFor(functionName);

    public async Task StopAsync()
    {
        if (_ended) return;
        _ended = true;
        await Host.StopAsync();
        Host.Dispose();
    }

    public async Task CrashAsync()
    {
        if (_ended) return;
        _ended = true;
        await Timers.AbandonAsync();
        Host.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
