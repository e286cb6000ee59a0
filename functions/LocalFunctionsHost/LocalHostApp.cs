using System.Net;
using LocalFunctionsHost.Configuration;
using LocalFunctionsHost.Functions;
using LocalFunctionsHost.Rpc;
using LocalFunctionsHost.Telemetry;
using LocalFunctionsHost.Worker;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace LocalFunctionsHost;

/// <summary>The host's process wiring: Kestrel serving the worker protocol on loopback, the console log, the services.</summary>
internal static class LocalHostApp
{
    public static WebApplication Create(HostSettings settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.TimestampFormat = "HH:mm:ss.fff ";
            options.UseUtcTimestamp = true;
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        builder.Logging.AddFilter("Grpc", LogLevel.Warning);
        builder.Logging.AddFilter("Azure", LogLevel.Warning);
        // The worker connects over plain HTTP/2 (h2c) on loopback, to a port chosen by the system.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(options =>
        {
            options.MaxReceiveMessageSize = null;
            options.MaxSendMessageSize = null;
        });
        builder.Services.AddMetrics();
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton<ProcessLauncher>();
        builder.Services.AddSingleton<WorkerChannelRegistry>();
        builder.Services.AddSingleton<WorkerLogSink>();
        builder.Services.AddSingleton<HostTelemetry>();
        builder.Services.AddSingleton<WorkerSupervisor>();
        builder.Services.AddSingleton<FunctionInvoker>();
        builder.Services.AddSingleton<FunctionsHost>();
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = settings.ShutdownGracePeriod + TimeSpan.FromSeconds(30));

        var app = builder.Build();
        app.MapGrpcService<FunctionRpcService>();
        return app;
    }

    /// <summary>The started server's address as the worker's --functions-uri.</summary>
    public static Uri Address(WebApplication app)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(address.TrimEnd('/') + "/");
    }
}
