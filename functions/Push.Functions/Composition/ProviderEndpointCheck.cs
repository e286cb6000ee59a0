using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Push.Providers.Apns;

namespace Push.Functions.Composition;

/// <summary>
/// At start, before any queue is read: the APNs endpoint must speak HTTP/2 (APNs has no HTTP/1.1), so a
/// misconfigured endpoint stops the host with an error naming Apns:Endpoint rather than failing every push.
/// It negotiates HTTP/2 and exchanges SETTINGS only; no request reaches APNs (see <see cref="ApnsEndpointProbe"/>).
/// </summary>
/// <remarks>
/// The check runs in <see cref="StartingAsync"/>, which the host calls before any hosted service's StartAsync. The
/// worker's own hosted service connects to the Functions host in its StartAsync: a check there would race it, and a
/// worker that failed after the host had loaded its functions looks like a crash, which the host answers by starting
/// it again and again instead of reporting a failed start.
/// </remarks>
public sealed class ProviderEndpointCheck(IOptions<ApnsOptions> apns) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => ApnsEndpointProbe.EnsureHttp2Async(apns.Value, cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
