using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Push.Core.Delivery;

namespace Push.Functions.Composition;

/// <summary>
/// Exports the relay's meters, spans and logs to Azure Monitor (Application Insights) through
/// OpenTelemetry when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set, and prints the meters to the
/// console when <c>Telemetry:ConsoleMetrics</c> is true (local development: dotnet-counters is not at hand
/// everywhere). Without either nothing is exported.
/// </summary>
public static class TelemetryExport
{
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    public const string ConsoleMetricsSetting = "Telemetry:ConsoleMetrics";

    /// <summary>The Meter and ActivitySource names the relay publishes.</summary>
    public static readonly string[] Sources = [RelayMetrics.MeterName, "Push.Providers", "Push.Hosting"];

    public static void AddTelemetryExport(this IServiceCollection services, ILoggingBuilder logging, IConfiguration configuration)
    {
        if (configuration.GetValue<bool>(ConsoleMetricsSetting))
        {
            // Every OTEL_METRIC_EXPORT_INTERVAL (the OpenTelemetry variable; 60 s unless set) the meters' values since start.
            services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(Sources).AddConsoleExporter());
        }
        var connectionString = configuration[ConnectionStringSetting];
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return;
        }
        services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics.AddMeter(Sources).AddAzureMonitorMetricExporter(o => o.ConnectionString = connectionString))
            .WithTracing(tracing => tracing.AddSource(Sources).AddAzureMonitorTraceExporter(o => o.ConnectionString = connectionString));
        logging.AddOpenTelemetry(options => options.AddAzureMonitorLogExporter(o => o.ConnectionString = connectionString));
    }
}
