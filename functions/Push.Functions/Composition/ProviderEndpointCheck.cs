using Microsoft.Extensions.Options;
using Push.Core.Composition;
using Push.Providers.Apns;

namespace Push.Functions.Composition;

/// <summary>
/// At start, before any queue is read: the APNs endpoint must speak HTTP/2 (APNs has no HTTP/1.1), so a
/// misconfigured endpoint stops the host with an error naming Apns:Endpoint rather than failing every push.
/// It negotiates HTTP/2 and exchanges SETTINGS only; no request reaches APNs (see <see cref="ApnsEndpointProbe"/>).
/// </summary>
public sealed class ProviderEndpointCheck(IOptions<ApnsOptions> apns) : StartupCheck
{
    public override Task StartingAsync(CancellationToken cancellationToken) => ApnsEndpointProbe.EnsureHttp2Async(apns.Value, cancellationToken);
}
