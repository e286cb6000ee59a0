using System.Text;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Push.EndToEnd.Tests.Infrastructure;
using Push.Hosting.ServiceBus;
using Push.Testing;

namespace Push.EndToEnd.Tests;

/// <summary>
/// `push dlq` with <c>Queues__Transport=ServiceBus</c>: the dead letters are read over AMQP from the queue's dead-letter
/// queue (on the RabbitMQ stand-in, <c>push-calls-poison</c>, which keeps no DeadLetterReason: reason "Unknown").
/// </summary>
[Collection(AmqpRelayCollection.Name)]
public sealed class DeadLetterOverAmqpEndToEndTests(AmqpRelayEnvironment env)
{
    private const string SecretCaller = "Yorick Secretcaller";

    private async Task<(int Exit, string Output)> PushAsync(params string[] arguments)
    {
        await using var process = ChildProcess.Start("dotnet", [BuiltProgram.Cli, .. arguments], Path.GetTempPath(), env.Settings());
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        await Task.Delay(100); // let the output readers drain
        return (exit, process.Output);
    }

    private ServiceBusDeadLetterReader Reader() => ServiceBusDeadLetterReader.FromConfiguration(new ConfigurationBuilder()
        .AddInMemoryCollection(env.Settings().ToDictionary(kv => kv.Key.Replace("__", ":", StringComparison.Ordinal), kv => kv.Value))
        .Build());

    /// <summary>The dead letter whose body holds <paramref name="trackingId"/>, if any; everything taken is given back.</summary>
    private static async Task<ServiceBusDeadLetter?> FindAsync(ServiceBusDeadLetterReader reader, string trackingId)
    {
        var taken = await reader.ReceiveAsync("push-calls", 32);
        try
        {
            return taken.FirstOrDefault(d => d.Body is { } body && Encoding.UTF8.GetString(body.Span).Contains(trackingId, StringComparison.Ordinal));
        }
        finally
        {
            foreach (var deadLetter in taken) await reader.AbandonAsync(deadLetter.Handle);
        }
    }

    [Fact]
    public async Task A_malformed_call_dead_lettered_over_amqp_is_listed_without_its_body_and_archived_by_purge()
    {
        // A call with the caller's name but no subject: the trigger dead-letters it at once (rejected → push-calls-poison).
        var trackingId = Guid.NewGuid().ToString();
        var json = Encoding.UTF8.GetBytes($$$"""
            {"specversion":"1.0","id":"{{{trackingId}}}","type":"push.call.incoming","source":"/e2e","time":"2026-01-01T00:00:00Z",
             "data":{"callId":"c-dlq-amqp","caller":{"name":"{{{SecretCaller}}}","number":"+15550008888"},"media":"audio"}}
            """);
        await env.PublishAsync("push-calls", json);

        ServiceBusDeadLetter? deadLetter = null;
        await using (var reader = Reader())
        {
            await Eventually.TrueAsync(async () => (deadLetter = await FindAsync(reader, trackingId)) is not null,
                TimeSpan.FromSeconds(30), $"{trackingId} in the dead-letter queue of push-calls");
            Assert.Equal(0, reader.HeldCount);
        }
        // RabbitMQ records x-death, not the trigger's DeadLetterReason.
        Assert.Null(deadLetter!.DeadLetterReason);

        var list = await PushAsync("dlq", "list", "--queue", "calls");
        Assert.True(list.Exit == 0, list.Output);
        var line = Assert.Single(list.Output.Split('\n'), l => l.Contains(trackingId, StringComparison.Ordinal));
        Assert.Contains(deadLetter.MessageId, line, StringComparison.Ordinal);
        Assert.Contains("Unknown", line, StringComparison.Ordinal);
        Assert.Contains("Permanent", line, StringComparison.Ordinal);
        Assert.Contains("push.call.incoming", line, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretCaller, list.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("+15550008888", list.Output, StringComparison.Ordinal);

        // list gave the entry back: it is still there.
        await using (var reader = Reader())
        {
            Assert.NotNull(await FindAsync(reader, trackingId));
        }

        var purge = await PushAsync("dlq", "purge", "--queue", "calls", "--yes");
        Assert.True(purge.Exit == 0, purge.Output);
        Assert.Contains(trackingId, purge.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretCaller, purge.Output, StringComparison.Ordinal);

        var row = Assert.Single(await ArchivedAsync(trackingId));
        Assert.Equal("Unknown", row.GetString("Reason"));
        Assert.Equal("Permanent", row.GetString("Class"));
        Assert.Equal(deadLetter.MessageId, row.GetString("MessageId"));
        await using (var reader = Reader())
        {
            Assert.Null(await FindAsync(reader, trackingId));
        }
    }

    private async Task<List<TableEntity>> ArchivedAsync(string trackingId)
    {
        var table = new TableServiceClient(env.Azurite.ConnectionString).GetTableClient("deadletters");
        await table.CreateIfNotExistsAsync();
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"TrackingId eq {trackingId}"))) rows.Add(row);
        return rows;
    }
}
