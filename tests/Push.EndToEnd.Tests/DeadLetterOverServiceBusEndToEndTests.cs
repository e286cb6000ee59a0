using System.Text;
using Azure.Data.Tables;
using Push.EndToEnd.Tests.Infrastructure;
using Push.Testing;
using Push.Testing.ServiceBus;

namespace Push.EndToEnd.Tests;

/// <summary>
/// The dead letters of <c>Queues__Transport=ServiceBus</c>: the relay dead-letters a bad event with its reason, and
/// <c>push dlq</c> reads them from the queue's dead-letter subqueue with the SDK.
/// </summary>
[Collection(ServiceBusRelayCollection.Name)]
public sealed class DeadLetterOverServiceBusEndToEndTests(ServiceBusRelayEnvironment env)
{
    private const string SecretCaller = "Yorick Secretcaller";

    private Task<(int Exit, string Output)> PushAsync(params string[] arguments) => PushCli.RunAsync(env, arguments);

    private BrokerMessage? DeadLetter(string trackingId) => env.DeadLetterOf("push-calls", trackingId);

    [Fact]
    public async Task A_malformed_call_is_dead_lettered_with_its_reason_listed_without_its_body_and_archived_by_purge()
    {
        // A call with the caller's name but no subject: dead-lettered at once, with the reason naming the field.
        var trackingId = Guid.NewGuid().ToString();
        var json = Encoding.UTF8.GetBytes($$$"""
            {"specversion":"1.0","id":"{{{trackingId}}}","type":"push.call.incoming","source":"/e2e","time":"2026-01-01T00:00:00Z",
             "data":{"callId":"c-dlq-sb","caller":{"name":"{{{SecretCaller}}}","number":"+15550008888"},"media":"audio"}}
            """);
        await env.PublishAsync("push-calls", json);

        var deadLetter = await env.WaitForDeadLetterAsync("push-calls", trackingId);
        Assert.Equal("InvalidEvent:MissingField", deadLetter.DeadLetterReason);
        Assert.Contains("subject", deadLetter.DeadLetterErrorDescription, StringComparison.Ordinal);

        var list = await PushAsync("dlq", "list", "--queue", "calls");
        Assert.True(list.Exit == 0, list.Output);
        var line = Assert.Single(list.Output.Split('\n'), l => l.Contains(trackingId, StringComparison.Ordinal));
        Assert.Contains("InvalidEvent:MissingField", line, StringComparison.Ordinal);
        Assert.Contains("Permanent", line, StringComparison.Ordinal);
        Assert.Contains("push.call.incoming", line, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretCaller, list.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("+15550008888", list.Output, StringComparison.Ordinal);
        // list gave the entry back: it is still there, not locked.
        await env.ServiceBus.WaitUntilAsync(() => DeadLetter(trackingId)?.State == BrokerMessageState.Active, "the listed entry to be given back");

        var purge = await PushAsync("dlq", "purge", "--queue", "calls", "--yes");
        Assert.True(purge.Exit == 0, purge.Output);
        Assert.Contains(trackingId, purge.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretCaller, purge.Output, StringComparison.Ordinal);

        var row = Assert.Single(await ArchivedAsync(trackingId));
        Assert.Equal("InvalidEvent:MissingField", row.GetString("Reason"));
        Assert.Equal("Permanent", row.GetString("Class"));
        Assert.Null(DeadLetter(trackingId));
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
