using System.Collections;
using LocalFunctionsHost;
using LocalFunctionsHost.Configuration;
using LocalFunctionsHost.Worker;

// The local stand-in for the Azure Functions host: `LocalFunctionsHost --script-root <app build output>`.
if (!CommandLine.TryParse(args, out var scriptRoot, out var usageError))
{
    if (usageError is not null) Console.Error.WriteLine(usageError);
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

await using var app = LocalHostApp.Create(settings);
var supervisor = app.Services.GetRequiredService<WorkerSupervisor>();
// Belt and braces beside setpriv's pdeathsig: whatever way this process ends in managed code, the worker ends too.
AppDomain.CurrentDomain.ProcessExit += (_, _) => supervisor.Kill();
AppDomain.CurrentDomain.UnhandledException += (_, _) => supervisor.Kill();

await app.StartAsync();
var host = app.Services.GetRequiredService<FunctionsHost>();
var stopping = app.Lifetime.ApplicationStopping;
try
{
    await host.StartAsync(LocalHostApp.Address(app), stopping);
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
