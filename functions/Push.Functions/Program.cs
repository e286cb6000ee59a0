using Microsoft.Extensions.Hosting;
using Push.Functions.Composition;
using Push.Hosting.Configuration;

// The function host: the Generic Host with the Functions configuration conventions (host.json,
// AzureWebJobsStorage, AzureFunctionsJobHost__* overrides) and our queue triggers.
// Content root = the program's folder, where appsettings.json and host.json are, whatever the working directory.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddFunctionsHostJson(Path.Combine(AppContext.BaseDirectory, "host.json"));
builder.Services.AddPushRelay(builder.Configuration);
builder.Services.AddTelemetryExport(builder.Logging, builder.Configuration);

using var host = builder.Build();
await host.RunAsync();
