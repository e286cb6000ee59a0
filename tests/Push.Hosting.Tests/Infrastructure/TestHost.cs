using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Push.Hosting.Queues;

namespace Push.Hosting.Tests.Infrastructure;

/// <summary>A Generic Host bound like Program.cs binds it, with settings given as configuration keys.</summary>
public static class TestHost
{
    public const string Queues = "AzureFunctionsJobHost:extensions:queues:";

    public static IHost Build(string? connectionString, FunctionProbe probe, IReadOnlyDictionary<string, string?> settings,
        IEnumerable<string> queueNames, string label = "host", CapturedLogs? logs = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var values = new Dictionary<string, string?>(settings);
        if (connectionString is not null) values["AzureWebJobsStorage"] = connectionString;
        // Tests poll fast unless they say otherwise.
        values.TryAdd(Queues + "maxPollingInterval", "00:00:00.200");
        builder.Configuration.AddInMemoryCollection(values);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        if (logs is not null) builder.Logging.AddProvider(logs);
        builder.Services.AddSingleton(probe);
        builder.Services.AddSingleton(new HostLabel(label));
        builder.Services.AddStorageQueues(builder.Configuration);
        foreach (var queue in queueNames)
        {
            builder.Services.AddQueueTrigger<ProbeFunction>("fn-" + queue, queue);
        }
        return builder.Build();
    }

    public static async Task<RunningHost> StartAsync(string connectionString, FunctionProbe probe, IReadOnlyDictionary<string, string?> settings,
        IEnumerable<string> queueNames, string label = "host", CapturedLogs? logs = null)
    {
        var host = Build(connectionString, probe, settings, queueNames, label, logs);
        await host.StartAsync();
        return new RunningHost(host);
    }
}
