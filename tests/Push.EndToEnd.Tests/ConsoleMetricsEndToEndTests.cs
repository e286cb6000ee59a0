using Push.Core.Events;
using Push.EndToEnd.Tests.Infrastructure;
using Push.Testing;

namespace Push.EndToEnd.Tests;

/// <summary>Telemetry__ConsoleMetrics: a developer without dotnet-counters watches the relay's meters in its console.</summary>
[Collection(RelayCollection.Name)]
public sealed class ConsoleMetricsEndToEndTests(RelayEnvironment env)
{
    [Fact]
    public async Task The_relays_meters_are_printed_to_the_console_when_asked()
    {
        var user = TestDevice.NewUser();
        var android = await env.RegisterAsync(TestDevice.Android(user));
        // A second instance of its own: a queue only it reads, so the event below is surely counted by it.
        var queue = "push-messages-metrics-" + Guid.NewGuid().ToString("N")[..8];
        var settings = env.Settings();
        settings["Telemetry__ConsoleMetrics"] = "true";
        settings["OTEL_METRIC_EXPORT_INTERVAL"] = "1000";
        settings["Queues__Messages"] = queue;
        foreach (var other in new[] { "DeliverCall", "ManageDevices", "RefreshProviderTokens", "ProcessDeadLetters" })
        {
            settings[$"AzureWebJobs.{other}.Disabled"] = "true";
        }
        await using var relay = await RelayProcess.StartAsync(settings);

        var im = new PushEventWriter("/e2e").Create(user, new ImMessageData("c", "m", new ImSender(null, "a@b.c"), "hi", 1));
        await env.PublishAsync(queue, PushEventWriter.Serialize(im));
        await env.WaitForOutcomesAsync(im.TrackingId, 1);
        await Eventually.TrueAsync(() => Task.FromResult(relay.Output.Contains("push.pushes.sent", StringComparison.Ordinal)),
            "push.pushes.sent in the console", TimeSpan.FromSeconds(30));

        Assert.Contains("push.events.received", relay.Output, StringComparison.Ordinal);
        Assert.Contains(env.Sandbox.FcmMessages, m => m.Token == android.PushToken);
        Assert.DoesNotContain("push.pushes.sent", env.Relay!.Output, StringComparison.Ordinal); // off unless asked
    }
}
