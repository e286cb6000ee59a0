using System.Collections;
using System.Net;
using LocalFunctionsHost;
using LocalFunctionsHost.Configuration;
using LocalFunctionsHost.Functions;
using LocalFunctionsHost.Rpc;
using LocalFunctionsHost.Telemetry;
using LocalFunctionsHost.Worker;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

// The local stand-in for the Azure Functions host: `LocalFunctionsHost --script-root <app build output>`.
if (!CommandLine.TryParse(args, out var scriptRoot, out var usageError))
{
    Console.Error.WriteLine(usageError);
    Console.Error.WriteLine(CommandLine.Usage);
    return usageError is null ? 0 : 2;
}

var environment = new Dictionary<string, string>(StringComparer.Ordinal);
foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
{
    if (entry.Value is string value) environment[(string)entry.Key] = value;
}
var errors = new List<string>();
var settings = HostSettings.Load(scriptRoot, environment, errors);
if (settings is null)
{
    PrintStartErrors(errors);
    return 1;
}

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

await using var app = builder.Build();
app.MapGrpcService<FunctionRpcService>();
var supervisor = app.Services.GetRequiredService<WorkerSupervisor>();
// Belt and braces beside setpriv's pdeathsig: whatever way this process ends in managed code, the worker ends too.
AppDomain.CurrentDomain.ProcessExit += (_, _) => supervisor.Kill();
AppDomain.CurrentDomain.UnhandledException += (_, _) => supervisor.Kill();

await app.StartAsync();
var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
var host = app.Services.GetRequiredService<FunctionsHost>();
var stopping = app.Lifetime.ApplicationStopping;
try
{
    await host.StartAsync(new Uri(address.TrimEnd('/') + "/"), stopping);
}
catch (HostStartException ex)
{
    PrintStartErrors(ex.Errors);
    await supervisor.StopAsync();
    await app.StopAsync();
    return 1;
}
catch (OperationCanceledException) when (stopping.IsCancellationRequested)
{
    await supervisor.StopAsync();
    await app.StopAsync();
    return 0;
}

// Ctrl-C / SIGTERM: the console lifetime cancels ApplicationStopping and leaves the shutdown to us.
await Task.Delay(Timeout.Infinite, stopping).ContinueWith(_ => { }, TaskScheduler.Default);
await host.StopAsync();
await app.StopAsync();
return 0;

static void PrintStartErrors(IEnumerable<string> errors)
{
    Console.Error.WriteLine("LocalFunctionsHost cannot start:");
    foreach (var error in errors) Console.Error.WriteLine("  - " + error);
}
