using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using LocalFunctionsHost.SampleApp;

var builder = FunctionsApplication.CreateBuilder(args);
builder.Services.AddSingleton<MarkerWriter>();
builder.Build().Run();
