using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Push.Functions.Composition;
using Push.Providers.Apns;
using Push.Testing;

namespace Push.Functions.Tests;

/// <summary>
/// A failed start-up check ends the worker's start before any hosted service has started, whatever the order they were
/// registered in: the worker's own hosted service, registered first, is the one that connects to the Functions host.
/// </summary>
public sealed class StartupCheckOrderTests
{
    [Fact]
    public async Task An_unreachable_apns_endpoint_stops_the_start_before_a_hosted_service_registered_ahead_of_the_check_starts()
    {
        var connectsToTheFunctionsHost = new RecordingHostedService();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton<IHostedService>(connectsToTheFunctionsHost);
        builder.Services.AddSingleton(Options.Create(new ApnsOptions { Endpoint = new Uri($"https://127.0.0.1:{FreePorts.Next()}"), RequestTimeout = TimeSpan.FromSeconds(5) }));
        builder.Services.AddHostedService<ProviderEndpointCheck>();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains("Apns:Endpoint", error.Message, StringComparison.Ordinal);
        Assert.False(connectsToTheFunctionsHost.Started);
    }

    private sealed class RecordingHostedService : IHostedService
    {
        public bool Started { get; private set; }

        public Task StartAsync(CancellationToken cancellationToken)
        {
            Started = true;
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
