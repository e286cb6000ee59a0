using System.Text;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Push.Core.DeadLetters;
using Push.Core.Ledger;
using Push.EndToEnd.Tests.Infrastructure;
using Push.Testing.ServiceBus;

namespace Push.EndToEnd.Tests;

/// <summary>
/// The relay's own <c>ProcessDeadLetters</c> timer over the Service Bus dead-letter subqueues: a transient dead letter
/// waits out its cool-down and is replayed, a permanent one is archived.
/// </summary>
public sealed class DeadLetterTriageOverServiceBusEndToEndTests(ServiceBusTriageEnvironment env) : IClassFixture<ServiceBusTriageEnvironment>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private DeadLetterArchive Archive => new(new TableServiceClient(env.Azurite.ConnectionString), Options.Create(new DeadLetterOptions()));

    [Fact]
    public async Task A_transient_dead_letter_waits_out_its_cool_down_and_is_replayed_by_the_timer_under_a_new_message_id_and_delivered_once()
    {
        var (iphone, im, deadLetter) = await env.DeadLetterThroughAnOutageAsync();
        var settledBefore = env.ServiceBus.Settlements.Count;
        // The outage ends during the cool-down.
        env.Sandbox.Faults.Clear();

        await env.WaitForStatusAsync(im.TrackingId, iphone.DeviceId, DeliveryStatus.Delivered, Wait);
        Assert.Single(env.Sandbox.ApnsPushes, p => p.DeviceToken == iphone.PushToken);
        await env.ServiceBus.WaitUntilAsync(() => env.DeadLetterOf("push-messages", im.TrackingId) is null, "the dead letter gone");
        // The replay's ledger row is written before its processor completes it: wait for that completion, not a moment.
        await env.ServiceBus.WaitUntilAsync(() => env.ServiceBus.Settlements.Skip(settledBefore)
            .Any(s => s is { Queue: "push-messages", FromDeadLetterQueue: false, Kind: SettlementKind.Completed }), "the replay completed");
        var settled = env.ServiceBus.Settlements.Skip(settledBefore).Where(s => s.Queue == "push-messages").ToList();
        // A run during the cool-down left the entry where it was; a later run replayed it, then completed the dead letter.
        var log = env.Relay!.Output;
        var replayedLine = log.IndexOf($"Dead letter {deadLetter.MessageId} from push-messages (event {im.TrackingId}, reason RetriesExhausted:InternalServerError) replayed; replay 1", StringComparison.Ordinal);
        Assert.True(replayedLine > 0, log);
        Assert.Matches(@"Dead-letter triage done: 0 replayed, 0 archived, [1-9][0-9]* cooling down", log[..replayedLine]);
        Assert.Equal(SettlementKind.Completed, settled.Last(s => s.FromDeadLetterQueue && s.MessageId == deadLetter.MessageId).Kind);
        var replayed = Assert.Single(settled, s => !s.FromDeadLetterQueue && s.Kind == SettlementKind.Completed);
        Assert.Equal(1, replayed.DeliveryCount);
        Assert.DoesNotContain(replayed.MessageId, new[] { deadLetter.MessageId, im.TrackingId });
        Assert.Equal(1, await Archive.GetReplayCountAsync("push-messages", Convert.ToBase64String(deadLetter.Body), CancellationToken.None));
    }

    [Fact]
    public async Task A_permanent_dead_letter_is_archived_by_the_timer_and_leaves_the_dead_letter_queue()
    {
        var trackingId = Guid.NewGuid().ToString();
        await env.PublishAsync("push-calls", Encoding.UTF8.GetBytes(
            $$$"""{"specversion":"1.0","id":"{{{trackingId}}}","type":"push.call.incoming","source":"/e2e","time":"2026-01-01T00:00:00Z","data":{}}"""));

        DeadLetterArchiveRecord? row = null;
        await Eventually.TrueAsync(async () =>
        {
            await foreach (var archived in Archive.ListAsync("push-calls", CancellationToken.None))
            {
                if (archived.TrackingId == trackingId) row = archived;
            }
            return row is not null;
        }, "the dead letter archived", Wait);

        Assert.Equal(("InvalidEvent:MissingField", DeadLetterClass.Permanent), (row!.Reason, row.Class));
        Assert.Null(env.DeadLetterOf("push-calls", trackingId));
        Assert.Contains(env.ServiceBus.Settlements, s => s is { Queue: "push-calls", FromDeadLetterQueue: true, Kind: SettlementKind.Completed } && s.MessageId == row.MessageId);
    }
}
