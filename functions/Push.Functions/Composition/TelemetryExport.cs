using Azure.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Push.Core.Delivery;

namespace Push.Functions.Composition;

/// <summary>
/// The relay's meters, spans and logs through the worker's own OpenTelemetry integration (function invocations as the
/// parent spans, the Functions resource attributes), exported to Application Insights when
/// <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set. With <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c> =
/// <c>Authorization=AAD[;ClientId=…]</c> (the Functions convention) the exporter authenticates with the managed identity.
/// With <c>Telemetry:ConsoleMetrics</c> true the meters are also printed on the console, every
/// <c>OTEL_METRIC_EXPORT_INTERVAL</c> milliseconds (60 s unless set): for watching the relay locally, where
/// dotnet-counters is not at hand everywhere. Without either nothing is exported.
/// </summary>
public static class TelemetryExport
{
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string AuthenticationStringSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    public const string ConsoleMetricsSetting = "Telemetry:ConsoleMetrics";

    /// <summary>The Meter and ActivitySource names the relay publishes.</summary>
    public static readonly string[] Sources =
        [RelayMetrics.MeterName, "Push.Providers", Push.Core.Credentials.CredentialsTelemetry.MeterName, Push.Core.DeadLetters.DeadLetterMetrics.MeterName];

    public static IServiceCollection AddRelayTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var console = configuration.GetValue<bool>(ConsoleMetricsSetting);
        var telemetry = services.AddOpenTelemetry().UseFunctionsWorkerDefaults()
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(Sources);
                if (console) metrics.AddConsoleExporter();
            })
            .WithTracing(tracing => tracing.AddSource(Sources));
        if (configuration[ConnectionStringSetting] is { Length: > 0 } connectionString)
        {
            var credential = EntraCredential(configuration[AuthenticationStringSetting]);
            telemetry.UseAzureMonitorExporter(o =>
            {
                o.ConnectionString = connectionString;
                o.Credential = credential;
            });
        }
        return services;
    }

    /// <summary>The managed identity named by an authentication string, or null for none (instrumentation key only).</summary>
    internal static TokenCredential? EntraCredential(string? authenticationString)
    {
        if (string.IsNullOrWhiteSpace(authenticationString)) return null;
        var parts = authenticationString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("Authorization", out var authorization) || !authorization.Equals("AAD", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"{AuthenticationStringSetting} must read 'Authorization=AAD' or 'Authorization=AAD;ClientId=<client id>'.");
        }
        return parts.TryGetValue("ClientId", out var clientId) && clientId.Length > 0
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned);
    }
}
