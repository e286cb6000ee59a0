using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Push.Hosting.ServiceBus;

namespace Push.Hosting.Tests.ServiceBus;

/// <summary>A Generic Host with the Service Bus trigger bound to one queue, configured from in-memory settings.</summary>
public static class ServiceBusTestHost
{
    public static IHost Build(ServiceBusProbe probe, string queueName, IDictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton(probe);
        builder.Services.AddServiceBusQueues(builder.Configuration);
        builder.Services.AddServiceBusTrigger<ServiceBusProbeFunction>("probe", queueName);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        return builder.Build();
    }
}
