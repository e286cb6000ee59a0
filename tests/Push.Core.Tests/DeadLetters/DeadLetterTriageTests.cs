using System.Diagnostics.Metrics;
using System.Text;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Azure.Storage.Queues;
using Push.Core.DeadLetters;
using Push.Core.Ledger;
using Push.Core.Storage;
using Push.Core.StorageQueues;
using Push.Core.Tests.Delivery;
using Push.Testing;

namespace Push.Core.Tests.DeadLetters;

/// <summary>The triage handler against Azurite: real queues, a real archive table, time from a fake clock.</summary>
public sealed class DeadLetterTriageTests : IClassFixture<AzuriteFixture>, IDisposable
{
    private static readonly DateTimeOffset DeadLetteredAt = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset InsertedAt = DeadLetteredAt.AddMinutes(-2);

    private readonly AzuriteFixture _azurite;
    private readonly string _queue = AzuriteFixture.UniqueName("dlq");
    private readonly DeadLetterOptions _options;
    private readonly FakeTimeProvider _time = new(DeadLetteredAt);
    private readonly QueueServiceClient _queues;
    private readonly FailingDeletes _poison;
    private readonly StorageEventQueues _writer;
    private readonly DeadLetterArchive _archive;
    private readonly InMemoryLedger _ledger = new();
    private readonly ServiceProvider _meters = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public DeadLetterTriageTests(AzuriteFixture azurite)
    {
        _azurite = azurite;
        _options = new DeadLetterOptions { ArchiveTable = AzuriteFixture.UniqueName("dl"), Lease = TimeSpan.FromSeconds(1) };
        _queues = new QueueServiceClient(azurite.ConnectionString, StorageClients.QueueOptions());
        _archive = new DeadLetterArchive(new TableServiceClient(azurite.ConnectionString), Options.Create(_options));
        _poison = new FailingDeletes(new StoragePoisonQueue(_queues, StorageQueueHostSettings.Default, _archive));
        _writer = new StorageEventQueues(_queues, StorageQueueHostSettings.Default, _archive);
        Queue(_queue).CreateIfNotExists();
        Queue(PoisonQueueName.Of(_queue)).CreateIfNotExists();
    }

    private QueueClient Queue(string name) => _queues.GetQueueClient(name);

    private DeadLetterTriage Triage() => new(_poison, _archive, _ledger, Options.Create(_options),
        new DeadLetterMetrics(_meters.GetRequiredService<IMeterFactory>()), _time, NullLogger<DeadLetterTriage>.Instance);

    /// <summary>Dead-letters a message the way the relay's settlement does: its reason recorded, the text on the poison queue.</summary>
    private async Task<string> PoisonAsync(string originalText, string reason, string? messageId = null)
    {
        messageId ??= Guid.NewGuid().ToString();
        await _writer.DeadLetterAsync(_queue, originalText, new RecordedDeadLetterReason(DeadLetterReason.Parse(reason),
            "1 device(s) still failing", messageId, 5, InsertedAt, DeadLetteredAt), CancellationToken.None);
        return messageId;
    }

    /// <summary>What the Functions host does after maxDequeueCount failed deliveries: the text, unchanged, and no reason.</summary>
    private async Task HostPoisonAsync(string originalText) => await Queue(PoisonQueueName.Of(_queue)).SendMessageAsync(originalText);

    private async Task<List<string>> DrainAsync(string queue)
    {
        var texts = new List<string>();
        var client = Queue(queue);
        while ((await client.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5))).Value is { Length: > 0 } messages)
        {
            foreach (var message in messages)
            {
                texts.Add(message.MessageText);
                await client.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }
        }
        return texts;
    }

    private async Task<int> CountAsync(string queue) => (await Queue(queue).GetPropertiesAsync()).Value.ApproximateMessagesCount;

    private async Task<List<DeadLetterArchiveRecord>> ArchivedAsync()
    {
        var rows = new List<DeadLetterArchiveRecord>();
        await foreach (var row in _archive.ListAsync(_queue, CancellationToken.None)) rows.Add(row);
        return rows;
    }

    [Fact]
    public async Task A_transient_entry_is_replayed_after_its_cool_down_with_the_original_text_unchanged()
    {
        var original = TestEvents.QueueText(TestEvents.Im(DeadLetteredAt.AddMinutes(-3)));
        await PoisonAsync(original, "RetriesExhausted:ServiceUnavailable");
        _time.SetUtcNow(DeadLetteredAt + _options.ReplayCoolDown + TimeSpan.FromSeconds(1));

        var summary = await Triage().RunAsync([_queue], CancellationToken.None);

        Assert.Equal(1, summary.Replayed);
        Assert.Equal([original], await DrainAsync(_queue));
        Assert.Equal(0, await CountAsync(PoisonQueueName.Of(_queue)));
        Assert.Equal(1, await _archive.GetReplayCountAsync(_queue, original, CancellationToken.None));
        Assert.Empty(await ArchivedAsync());
    }

    [Fact]
    public async Task An_entry_still_cooling_down_stays_in_the_poison_queue_hidden_until_its_cool_down_ends()
    {
        var original = TestEvents.QueueText(TestEvents.Im(DeadLetteredAt));
        await PoisonAsync(original, "RetriesExhausted:NetworkFailure");
        _time.SetUtcNow(DeadLetteredAt.AddMinutes(1));

        var summary = await Triage().RunAsync([_queue], CancellationToken.None);

        Assert.Equal(1, summary.Deferred);
        Assert.Equal(0, summary.Replayed);
        Assert.Equal(0, await CountAsync(_queue));
        Assert.Equal(1, await CountAsync(PoisonQueueName.Of(_queue)));
        // Hidden for the rest of the cool-down (4 minutes), so a peek sees nothing.
        Assert.Empty((await Queue(PoisonQueueName.Of(_queue)).PeekMessagesAsync(32)).Value);
        Assert.Empty(await ArchivedAsync());
    }

    [Fact]
    public async Task A_message_replayed_max_replays_times_is_archived_as_permanent_replay_cap_reached()
    {
        _options.MaxReplays = 1;
        var original = TestEvents.QueueText(TestEvents.Im(DeadLetteredAt));
        await PoisonAsync(original, "RetriesExhausted:ServiceUnavailable");
        _time.SetUtcNow(DeadLetteredAt.AddHours(1));
        Assert.Equal(1, (await Triage().RunAsync([_queue], CancellationToken.None)).Replayed);
        Assert.Equal([original], await DrainAsync(_queue));

        // The replay failed again: the relay dead-letters the same text under a new message id.
        var secondId = await PoisonAsync(original, "RetriesExhausted:ServiceUnavailable");
        var summary = await Triage().RunAsync([_queue], CancellationToken.None);

        Assert.Equal(0, summary.Replayed);
        Assert.Equal(1, summary.ArchivedByClass[DeadLetterClass.Permanent]);
        Assert.Equal(0, await CountAsync(_queue));
        var row = Assert.Single(await ArchivedAsync());
        Assert.Equal(secondId, row.MessageId);
        Assert.Equal(DeadLetterClass.Permanent, row.Class);
        Assert.Equal(DeadLetterTriage.ReplayCapReached, row.Detail);
        Assert.Equal("RetriesExhausted:ServiceUnavailable", row.Reason);
        Assert.Equal(1, row.ReplayCount);
        // The reason row went with the entry.
        Assert.Null(await _archive.FindReasonAsync(_queue, original, CancellationToken.None));
    }

    [Fact]
    public async Task A_permanent_entry_is_archived_with_reason_tracking_id_and_attempt_times_then_removed()
    {
        var (trackingId, json) = TestEvents.Malformed();
        var original = TestEvents.QueueText(json);
        var messageId = await PoisonAsync(original, "InvalidEvent:MissingField");

        var summary = await Triage().RunAsync([_queue], CancellationToken.None);

        Assert.Equal(1, summary.ArchivedByClass[DeadLetterClass.Permanent]);
        Assert.Equal(0, await CountAsync(PoisonQueueName.Of(_queue)));
        Assert.Equal(0, await CountAsync(_queue));
        var row = Assert.Single(await ArchivedAsync());
        Assert.Equal("InvalidEvent:MissingField", row.Reason);
        Assert.Equal(DeadLetterClass.Permanent, row.Class);
        Assert.Equal(trackingId, row.TrackingId);
        Assert.Equal("push.im.message", row.EventType);
        Assert.Equal(messageId, row.MessageId);
        Assert.Equal(InsertedAt, row.FirstAttemptAt);
        Assert.Equal(DeadLetteredAt, row.LastAttemptAt);
        Assert.Equal(5, row.DequeueCount);
        Assert.Equal(DeadLetteredAt, row.ArchivedAt);
        Assert.Equal(ArchivedOriginalForm.MessageText, row.OriginalForm);
        Assert.Equal(original, Encoding.UTF8.GetString(row.Original!));
        Assert.Equal(row, await _archive.GetAsync(_queue, row.RowId, CancellationToken.None), new ArchiveRowComparer());
    }

    [Fact]
    public async Task Corrupt_garbage_is_archived_with_its_raw_bytes_and_the_run_goes_on_to_the_next_entry()
    {
        const string garbage = "%%% neither JSON { nor base64 \u00e9 ~~~";
        await HostPoisonAsync(garbage);
        var (_, json) = TestEvents.Malformed();
        await PoisonAsync(TestEvents.QueueText(json), "InvalidEvent:MissingField");

        var summary = await Triage().RunAsync([_queue], CancellationToken.None);

        Assert.Equal(1, summary.ArchivedByClass[DeadLetterClass.Corrupt]);
        Assert.Equal(1, summary.ArchivedByClass[DeadLetterClass.Permanent]);
        Assert.Equal(0, summary.Failed);
        Assert.Equal(0, await CountAsync(PoisonQueueName.Of(_queue)));
        var corrupt = Assert.Single(await ArchivedAsync(), r => r.Class == DeadLetterClass.Corrupt);
        Assert.Equal("UndecodableMessage", corrupt.Reason);
        Assert.Equal(ArchivedOriginalForm.MessageText, corrupt.OriginalForm);
        Assert.Equal(Encoding.UTF8.GetBytes(garbage), corrupt.Original);
        Assert.Null(corrupt.TrackingId);
    }

    [Fact]
    public async Task A_crash_between_the_archive_write_and_the_delete_keeps_the_entry_and_a_rerun_archives_it_once()
    {
        var (_, json) = TestEvents.Malformed();
        await PoisonAsync(TestEvents.QueueText(json), "InvalidEvent:MissingField");
        _poison.Count = 1;

        var first = await Triage().RunAsync([_queue], CancellationToken.None);

        Assert.Equal(1, first.Failed);
        Assert.Single(await ArchivedAsync());
        Assert.Equal(1, await CountAsync(PoisonQueueName.Of(_queue)));

        // The entry comes back when its lease (1 s here) ends.
        DeadLetterTriageSummary second;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        do
        {
            await Task.Delay(500);
            second = await Triage().RunAsync([_queue], CancellationToken.None);
        }
        while (second.Archived == 0 && DateTime.UtcNow < deadline);

        Assert.Equal(1, second.Archived);
        Assert.Equal(0, await CountAsync(PoisonQueueName.Of(_queue)));
        Assert.Single(await ArchivedAsync());
    }

    [Fact]
    public async Task A_device_registered_entry_is_archived_without_its_key_and_marked_not_replayable()
    {
        var (evt, key) = TestEvents.DeviceRegistered(DeadLetteredAt);
        await PoisonAsync(TestEvents.QueueText(evt), "InvalidEvent:WrongQueue");

        await Triage().RunAsync([_queue], CancellationToken.None);

        var row = Assert.Single(await ArchivedAsync());
        Assert.Equal(evt.TrackingId, row.TrackingId);
        Assert.Equal(ArchivedOriginalForm.RedactedBody, row.OriginalForm);
        var stored = Encoding.UTF8.GetString(row.Original!);
        Assert.DoesNotContain(key, stored, StringComparison.Ordinal);
        Assert.Contains(DeadLetterRedaction.RedactedValue, stored, StringComparison.Ordinal);
        // Nor hidden in some other column.
        var entity = (await new TableServiceClient(_azurite.ConnectionString).GetTableClient(_options.ArchiveTable)
            .QueryAsync<TableEntity>().ToListAsync()).Single();
        Assert.DoesNotContain(((IDictionary<string, object>)entity).Values, v => v is string s && s.Contains(key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_transient_call_past_its_ring_time_is_archived_as_expired_and_never_replayed()
    {
        var call = TestEvents.Call(DeadLetteredAt.AddMinutes(-1));
        await PoisonAsync(TestEvents.QueueText(call), "RetriesExhausted:ServiceUnavailable");
        _time.SetUtcNow(DeadLetteredAt.AddMinutes(10));

        var summary = await Triage().RunAsync([_queue], CancellationToken.None);

        Assert.Equal(0, summary.Replayed);
        Assert.Equal(0, await CountAsync(_queue));
        var row = Assert.Single(await ArchivedAsync());
        Assert.Equal(DeadLetterClass.ExpiredCall, row.Class);
        Assert.Equal(call.TrackingId, row.TrackingId);
    }

    [Fact]
    public async Task A_message_the_host_poisoned_after_an_outage_the_ledger_recorded_is_replayed()
    {
        var im = TestEvents.Im(DateTimeOffset.UtcNow);
        var original = TestEvents.QueueText(im);
        await _ledger.RecordAsync(new LedgerEntry(im.TrackingId, "dev-1", im.Type, DeliveryStatus.Pending, "apns", "ServiceUnavailable",
            null, null, 3, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow), CancellationToken.None);
        await HostPoisonAsync(original);
        _time.SetUtcNow(DateTimeOffset.UtcNow + _options.ReplayCoolDown + TimeSpan.FromMinutes(1));

        var summary = await Triage().RunAsync([_queue], CancellationToken.None);

        Assert.Equal(1, summary.Replayed);
        Assert.Equal([original], await DrainAsync(_queue));
    }

    [Fact]
    public async Task A_message_the_host_poisoned_with_no_failure_on_record_is_archived_not_replayed_on_its_count_alone()
    {
        var im = TestEvents.Im(DateTimeOffset.UtcNow);
        await HostPoisonAsync(TestEvents.QueueText(im));
        _time.SetUtcNow(DateTimeOffset.UtcNow + _options.ReplayCoolDown + TimeSpan.FromMinutes(1));

        var summary = await Triage().RunAsync([_queue], CancellationToken.None);

        Assert.Equal(0, summary.Replayed);
        var row = Assert.Single(await ArchivedAsync());
        Assert.Equal("MaxDequeueCountExceeded", row.Reason);
        Assert.Equal(DeadLetterClass.Permanent, row.Class);
        Assert.Equal("NoFailureRecorded", row.Detail);
        Assert.Equal(im.TrackingId, row.TrackingId);
        Assert.Equal(StorageQueueHostSettings.Default.MaxDequeueCount, row.DequeueCount);
    }

    public void Dispose() => _meters.Dispose();

    private sealed class ArchiveRowComparer : IEqualityComparer<DeadLetterArchiveRecord?>
    {
        public bool Equals(DeadLetterArchiveRecord? x, DeadLetterArchiveRecord? y) =>
            x is not null && y is not null && x.RowId == y.RowId && x.Reason == y.Reason && x.TrackingId == y.TrackingId &&
            x.Original.AsSpan().SequenceEqual(y.Original);

        public int GetHashCode(DeadLetterArchiveRecord? obj) => obj?.RowId.GetHashCode(StringComparison.Ordinal) ?? 0;
    }
}
