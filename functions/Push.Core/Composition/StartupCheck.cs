using Microsoft.Extensions.Hosting;

namespace Push.Core.Composition;

/// <summary>
/// A check that must pass before the worker takes any work: it runs in <see cref="StartingAsync"/>, which the host calls
/// before any hosted service's StartAsync, and a failure stops the start.
/// </summary>
/// <remarks>
/// Not in StartAsync: the worker's own hosted service connects to the Functions host there. A check that failed after
/// the host had loaded the functions would look like a crash, which the host answers by starting the worker again and
/// again instead of reporting a failed start.
/// </remarks>
public abstract class StartupCheck : IHostedLifecycleService
{
    public abstract Task StartingAsync(CancellationToken cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
