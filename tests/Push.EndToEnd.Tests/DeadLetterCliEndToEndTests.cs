using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;
using Push.Core.DeadLetters;
using Push.Core.Storage;
using Push.Core.StorageQueues;
using Push.EndToEnd.Tests.Infrastructure;
using Push.Testing;

namespace Push.EndToEnd.Tests;

/// <summary>`push dlq` as an operator runs it: a separate process with the relay's settings, against the running relay.</summary>
[Collection(RelayCollection.Name)]
public sealed class DeadLetterCliEndToEndTests(RelayEnvironment env)
{
    private const string SecretCaller = "Zelda Secretcaller";

    private Task<(int Exit, string Output)> PushAsync(params string[] arguments) => PushCli.RunAsync(env, arguments);

    private async Task<bool> InPoisonAsync(string trackingId)
    {
        // A poison entry is the original message text, unchanged (base64 of the event).
        foreach (var message in (await env.Queue("push-calls-poison").PeekMessagesAsync(32)).Value)
        {
            if (Encoding.UTF8.GetString(Convert.FromBase64String(message.MessageText)).Contains(trackingId, StringComparison.Ordinal)) return true;
        }
        return false;
    }

    [Fact]
    public async Task A_malformed_call_is_listed_without_its_body_left_alone_by_a_dry_run_and_archived_by_purge()
    {
        // A call with the caller's name but no subject: dead-lettered at once as InvalidEvent:MissingField.
        var trackingId = Guid.NewGuid().ToString();
        var json = Encoding.UTF8.GetBytes($$$"""
            {"specversion":"1.0","id":"{{{trackingId}}}","type":"push.call.incoming","source":"/e2e","time":"2026-01-01T00:00:00Z",
             "data":{"callId":"c-dlq","caller":{"name":"{{{SecretCaller}}}","number":"+15550009999"},"media":"audio"}}
            """);
        await env.PublishAsync("push-calls", json);
        var record = await PoisonQueue.WaitForAsync(env, "push-calls", trackingId, TimeSpan.FromSeconds(30));
        Assert.StartsWith("InvalidEvent:", record.Reason.ToString(), StringComparison.Ordinal);

        var list = await PushAsync("dlq", "list", "--queue", "calls");
        Assert.True(list.Exit == 0, list.Output);
        var line = Assert.Single(list.Output.Split('\n'), l => l.Contains(trackingId, StringComparison.Ordinal));
        Assert.Contains(record.MessageId, line, StringComparison.Ordinal);
        Assert.Contains(record.Reason.ToString(), line, StringComparison.Ordinal);
        Assert.Contains("Permanent", line, StringComparison.Ordinal);
        Assert.Contains("push.call.incoming", line, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretCaller, list.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("+15550009999", list.Output, StringComparison.Ordinal);

        var show = await PushAsync("dlq", "show", record.MessageId, "--queue", "calls");
        Assert.True(show.Exit == 0, show.Output);
        Assert.Contains(trackingId, show.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretCaller, show.Output, StringComparison.Ordinal);

        var dryRun = await PushAsync("dlq", "replay", "--all", "--queue", "calls", "--dry-run");
        Assert.True(dryRun.Exit == 0, dryRun.Output);
        Assert.Contains("would replay", dryRun.Output, StringComparison.Ordinal);
        Assert.Contains(trackingId, dryRun.Output, StringComparison.Ordinal);
        // Nothing changed: the entry is still there (visible again), and nothing was archived.
        await Eventually.TrueAsync(() => InPoisonAsync(trackingId), "the entry still in push-calls-poison after a dry run", TimeSpan.FromSeconds(10));
        Assert.Empty(await ArchivedAsync(trackingId));

        var refused = await PushAsync("dlq", "purge", "--queue", "calls");
        Assert.Equal(2, refused.Exit);
        Assert.Contains("--yes", refused.Output, StringComparison.Ordinal);
        Assert.True(await InPoisonAsync(trackingId));

        var purge = await PushAsync("dlq", "purge", "--queue", "calls", "--reason", record.Reason.ToString(), "--yes");
        Assert.True(purge.Exit == 0, purge.Output);
        Assert.Contains(trackingId, purge.Output, StringComparison.Ordinal);
        Assert.False(await InPoisonAsync(trackingId));
        var row = Assert.Single(await ArchivedAsync(trackingId));
        Assert.Equal(record.Reason.ToString(), row.GetString("Reason"));
        Assert.Equal("Permanent", row.GetString("Class"));
        Assert.Equal("Purged", row.GetString("Detail"));
        Assert.Equal(record.OriginalMessageText, Encoding.UTF8.GetString(row.GetBinary("Original")));

        var archived = await PushAsync("dlq", "list", "--queue", "calls", "--archived");
        Assert.True(archived.Exit == 0, archived.Output);
        Assert.Contains(trackingId, archived.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretCaller, archived.Output, StringComparison.Ordinal);
    }

    /// <summary>What a test dead-lettered: the id the commands show, its reason, and the poison entry's text.</summary>
    private sealed record DeadLettered(string MessageId, string Reason, string Text);

    /// <summary>
    /// A dead letter on a queue of the test's own (the relay does not read it), so what the commands find is this test's
    /// only: as the relay writes one (its reason recorded, the text on the poison queue), or — for an undecodable text —
    /// as the host does (the text alone).
    /// </summary>
    private async Task<DeadLettered> DeadLetterAsync(string queue, string originalText, string reason)
    {
        var service = new QueueServiceClient(env.Azurite.ConnectionString, StorageClients.QueueOptions());
        if (reason == DeadLetterReason.UndecodableMessage.ToString())
        {
            var poison = service.GetQueueClient(PoisonQueueName.Of(queue));
            await poison.CreateIfNotExistsAsync();
            var sent = await poison.SendMessageAsync(originalText);
            return new DeadLettered(sent.Value.MessageId, reason, originalText);
        }
        var archive = new DeadLetterArchive(new TableServiceClient(env.Azurite.ConnectionString), Options.Create(new DeadLetterOptions()));
        var messageId = Guid.NewGuid().ToString();
        await new StorageEventQueues(service, StorageQueueHostSettings.Default, archive).DeadLetterAsync(queue, originalText,
            new RecordedDeadLetterReason(DeadLetterReason.Parse(reason), "written by the test", messageId, 1,
                DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(-30)), CancellationToken.None);
        return new DeadLettered(messageId, reason, originalText);
    }

    private static string OwnQueue() => "dlq-" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task List_with_nothing_pending_but_archived_entries_says_so_and_points_at_archived()
    {
        var queue = OwnQueue();
        await DeadLetterAsync(queue, "not base64 !", "UndecodableMessage");
        var purge = await PushAsync("dlq", "purge", "--queue", queue, "--yes");
        Assert.True(purge.Exit == 0, purge.Output);

        var list = await PushAsync("dlq", "list", "--queue", queue);

        Assert.True(list.Exit == 0, list.Output);
        Assert.Contains("0 dead letter(s) pending; 1 archived (push dlq list --archived shows them)", list.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_finds_a_dead_letter_by_its_tracking_id_pending_and_archived()
    {
        var queue = OwnQueue();
        var trackingId = Guid.NewGuid().ToString();
        var evt = $$$"""{"specversion":"1.0","id":"{{{trackingId}}}","type":"push.im.message","source":"/e2e","time":"2026-01-01T00:00:00Z","data":{}}""";
        var record = await DeadLetterAsync(queue, Convert.ToBase64String(Encoding.UTF8.GetBytes(evt)), "InvalidEvent:MissingField");

        var pending = await PushAsync("dlq", "show", trackingId, "--queue", queue);
        Assert.True(pending.Exit == 0, pending.Output);
        Assert.Contains($"{queue}-poison", pending.Output, StringComparison.Ordinal);
        Assert.Contains(record.MessageId, pending.Output, StringComparison.Ordinal);

        Assert.True((await PushAsync("dlq", "purge", "--queue", queue, "--yes")).Exit == 0);
        var archived = await PushAsync("dlq", "show", trackingId, "--queue", queue);
        Assert.True(archived.Exit == 0, archived.Output);
        Assert.Contains("archive", archived.Output, StringComparison.Ordinal);
        Assert.Contains(record.MessageId, archived.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_body_of_an_undecodable_entry_prints_its_raw_bytes_as_labelled_base64_pending_and_archived()
    {
        var queue = OwnQueue();
        var raw = "not base64 !~ at all " + Guid.NewGuid().ToString("N");
        var record = await DeadLetterAsync(queue, raw, "UndecodableMessage");
        var expected = Convert.ToBase64String(Encoding.UTF8.GetBytes(raw));

        var pending = await PushAsync("dlq", "show", record.MessageId, "--queue", queue, "--show-body");
        Assert.True(pending.Exit == 0, pending.Output);
        Assert.True(pending.Output.Contains("raw bytes", StringComparison.Ordinal), pending.Output);
        Assert.Contains("as base64", pending.Output, StringComparison.Ordinal);
        Assert.Contains(expected, pending.Output, StringComparison.Ordinal);

        Assert.True((await PushAsync("dlq", "purge", "--queue", queue, "--yes")).Exit == 0);
        var archived = await PushAsync("dlq", "show", record.MessageId, "--queue", queue, "--show-body");
        Assert.True(archived.Exit == 0, archived.Output);
        Assert.True(archived.Output.Contains("as base64", StringComparison.Ordinal), archived.Output);
        Assert.Contains(expected, archived.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_body_of_an_event_published_without_base64_redacts_its_device_key()
    {
        var queue = OwnQueue();
        var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var raw = $$$$"""{"specversion":"1.0","id":"x","type":"push.device.registered","data":{"encryptionKey":{"id":"k","key":"{{{{key}}}}"}}}""";
        var record = await DeadLetterAsync(queue, raw, "UndecodableMessage");

        var show = await PushAsync("dlq", "show", record.MessageId, "--queue", queue, "--show-body");

        Assert.True(show.Exit == 0, show.Output);
        Assert.Contains("device keys redacted", show.Output, StringComparison.Ordinal);
        Assert.Contains("push.device.registered", show.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(key, show.Output, StringComparison.Ordinal);

        // The archive must not become a key store: bytes that never decoded and may hold a key are not kept.
        Assert.True((await PushAsync("dlq", "purge", "--queue", queue, "--yes")).Exit == 0);
        var archived = await PushAsync("dlq", "show", record.MessageId, "--queue", queue, "--show-body");
        Assert.True(archived.Exit == 0, archived.Output);
        Assert.Contains("Original kept as:  Withheld", archived.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(key, archived.Output, StringComparison.Ordinal);
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
