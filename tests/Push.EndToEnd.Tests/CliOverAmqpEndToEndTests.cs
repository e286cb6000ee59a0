using Push.Core.Ledger;
using Push.EndToEnd.Tests.Infrastructure;
using Push.Testing;

namespace Push.EndToEnd.Tests;

/// <summary>With <c>Queues__Transport=ServiceBus</c> the CLI publishes over AMQP, with the tracking id as the message id.</summary>
[Collection(AmqpRelayCollection.Name)]
public sealed class CliOverAmqpEndToEndTests(AmqpRelayEnvironment env)
{
    [Fact]
    public async Task The_cli_publishes_onto_the_amqp_queue_and_the_relay_delivers_it()
    {
        var user = TestDevice.NewUser();
        var android = await env.RegisterAsync(TestDevice.Android(user));

        await using var process = ChildProcess.Start("dotnet",
            [BuiltProgram.Cli, "publish", "im", "--user", user, "--from-address", "bob@example.com", "--conversation", "c-1", "--preview", "hello"],
            Path.GetTempPath(), env.Settings());
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        await Task.Delay(100);
        Assert.True(exit == 0, process.Output);
        var trackingId = process.Output.Trim().Split('\n')[^1].Trim();
        Assert.True(Guid.TryParse(trackingId, out _), process.Output);

        var outcome = Assert.Single((await env.WaitForOutcomesAsync(trackingId, 1)).Values);
        Assert.Equal(DeliveryStatus.Delivered, outcome.Status);
        Assert.Contains(env.Sandbox.FcmMessages, m => m.Token == android.PushToken);
    }
}
