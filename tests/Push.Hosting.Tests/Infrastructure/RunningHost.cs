using Microsoft.Extensions.Hosting;

namespace Push.Hosting.Tests.Infrastructure;

/// <summary>A started host that is stopped (gracefully, as on SIGTERM) when disposed.</summary>
public sealed class RunningHost(IHost host) : IAsyncDisposable
{
    private bool _stopped;

    public IHost Host { get; } = host;

    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        await Host.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Host.Dispose();
    }
}
