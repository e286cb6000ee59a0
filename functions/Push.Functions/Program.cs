using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using Push.Functions.Composition;

// The relay as an Azure Functions isolated-worker app. The Functions host (Azure, Core Tools, or the repository's local
// stand-in) starts this process, binds the triggers and invokes the functions over gRPC; everything the functions need
// is composed in RelayWorker.ConfigureRelay.
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureRelay();
builder.Build().Run();
