using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;

namespace Push.Functions.Composition;

/// <summary>
/// Everything the relay's worker is composed of, in one call: host.json's settings, the relay and its telemetry.
/// Program.cs calls it; so does the bench's pass-through app, which must differ from the product only in its cipher.
/// </summary>
public static class RelayWorker
{
    public static FunctionsApplicationBuilder ConfigureRelay(this FunctionsApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Configuration.AddHostJson(Path.Combine(AppContext.BaseDirectory, "host.json"));
        builder.Services.AddPushRelay(builder.Configuration);
        builder.Services.AddRelayTelemetry(builder.Configuration);
        return builder;
    }
}
