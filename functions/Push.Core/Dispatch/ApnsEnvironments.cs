using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Push.Providers.Apns;

namespace Push.Core.Dispatch;

/// <summary>
/// Builds the APNs client for devices registered with <c>environment: sandbox</c>. With Apple's
/// production endpoint configured, those go to Apple's development endpoint; with any other endpoint
/// (a proxy, the local sandbox) both environments use the configured endpoint, unless
/// <c>Apns:DevelopmentEndpoint</c> names one. The provider token is shared: one per team.
/// </summary>
public static class ApnsEnvironments
{
    public const string DevelopmentEndpointSetting = "Apns:DevelopmentEndpoint";

    public static ApnsClientsByEnvironment Create(ApnsClient production, IOptions<ApnsOptions> options, Uri? developmentEndpoint,
        IApnsProviderTokenSource tokens, TimeProvider time, ILogger<ApnsClient> logger)
    {
        var configured = options.Value;
        var endpoint = developmentEndpoint
            ?? (configured.Endpoint == ApnsOptions.ProductionEndpoint ? ApnsOptions.DevelopmentEndpoint : null);
        if (endpoint is null || endpoint == configured.Endpoint)
        {
            return new ApnsClientsByEnvironment(production, production);
        }
        var development = new ApnsClient(Options.Create(configured.WithEndpoint(endpoint)), tokens, time, logger);
        return new ApnsClientsByEnvironment(production, development);
    }
}
