using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Push.Functions.Composition;

// The relay as an Azure Functions isolated-worker app. The Functions host (Azure, Core Tools, or the repository's local
// stand-in) starts this process, binds the triggers and invokes the functions over gRPC; everything the functions need
// is composed here.
var builder = FunctionsApplication.CreateBuilder(args);
builder.Configuration.AddHostJson(Path.Combine(AppContext.BaseDirectory, "host.json"));
builder.Services.AddPushRelay(builder.Configuration);
builder.Services.AddRelayTelemetry(builder.Configuration);
builder.Build().Run();
