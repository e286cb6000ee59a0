using Push.EndToEnd.Tests.Infrastructure;
using Push.Testing;

namespace Push.EndToEnd.Tests;

/// <summary>A Service Bus namespace the worker cannot reach stops the host at start, with a message that says where to look.</summary>
[Collection(ServiceBusRelayCollection.Name)]
public sealed class StartupOverServiceBusEndToEndTests(ServiceBusRelayEnvironment env)
{
    [Fact]
    public async Task An_unreachable_namespace_stops_the_host_naming_the_queue_and_the_connection_setting()
    {
        var settings = env.Settings();
        // The emulator's connection string with a port nothing listens on; the SDK's retries kept short so the test is quick.
        settings["AzureWebJobsServiceBus"] = env.ServiceBus.ConnectionString.Replace($"127.0.0.1:{env.ServiceBus.Port};", $"127.0.0.1:{FreePorts.Next()};", StringComparison.Ordinal);
        settings["AzureFunctionsJobHost__extensions__serviceBus__clientRetryOptions__tryTimeout"] = "00:00:02";
        settings["AzureFunctionsJobHost__extensions__serviceBus__clientRetryOptions__maxRetries"] = "0";
        Assert.NotEqual(env.Settings()["AzureWebJobsServiceBus"], settings["AzureWebJobsServiceBus"]);

        await using var host = RelayProcess.Launch(settings);
        var exit = await host.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(exit != 0, host.Output);
        var line = Assert.Single(host.Output.Split('\n').Where(l => l.Contains("Service Bus queue 'push-calls'", StringComparison.Ordinal)).Take(1));
        Assert.Contains("cannot be reached", line, StringComparison.Ordinal);
        Assert.Contains("AzureWebJobsServiceBus", line, StringComparison.Ordinal);
        // Stopped before the worker connected: the host did not start its functions and restart the worker over and over.
        Assert.DoesNotContain(RelayProcess.ReadyLine, host.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("SharedAccessKey", host.Output, StringComparison.Ordinal);
    }
}
