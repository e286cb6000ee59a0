using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Push.Core.DeadLetters;
using Push.Core.Delivery;
using Push.Core.Events;
using Push.Core.Storage;
using Push.Core.StorageQueues;
using Push.Testing;

namespace Push.Core.Tests.StorageQueues;

/// <summary>
/// Each verdict carried out in the Functions host's terms, on Azurite: what ends up on the queue, on its poison queue and
/// in the reason table — read back through the same poison-queue reader triage and <c>push dlq</c> use.
/// </summary>
public sealed class StorageQueueSettlementTests : IClassFixture<AzuriteFixture>
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly string _queue = AzuriteFixture.UniqueName("settle");
    private readonly QueueServiceClient _service;
    private readonly DeadLetterArchive _archive;
    private readonly StorageQueueSettlement _settlement;
    private readonly StoragePoisonQueue _poison;

    public StorageQueueSettlementTests(AzuriteFixture azurite)
    {
        _service = new QueueServiceClient(azurite.ConnectionString, StorageClients.QueueOptions());
        _archive = new DeadLetterArchive(new TableServiceClient(azurite.ConnectionString),
            Options.Create(new DeadLetterOptions { ArchiveTable = AzuriteFixture.UniqueName("dl") }));
        var queues = new StorageEventQueues(_service, StorageQueueHostSettings.Default, _archive);
        _settlement = new StorageQueueSettlement(queues, new FakeTimeProvider(Now), NullLogger<StorageQueueSettlement>.Instance);
        _poison = new StoragePoisonQueue(_service, StorageQueueHostSettings.Default, _archive);
    }

    private static byte[] Body(int size = 0) => Encoding.UTF8.GetBytes(
        $$"""{"specversion":"1.0","id":"{{Guid.NewGuid()}}","type":"push.im.message","pad":"{{new string('x', size)}}"}""");

    private static ReceivedQueueMessage Received(byte[] body, long dequeueCount = 1) =>
        new(body, "msg-" + Guid.NewGuid().ToString("N")[..8], dequeueCount, Now.AddSeconds(-3));

    private async Task<QueueMessage[]> PeekAsync(string queue)
    {
        var client = _service.GetQueueClient(queue);
        return await client.ExistsAsync() ? (await client.PeekMessagesAsync(32)).Value.Select(m =>
            QueuesModelFactory.QueueMessage(m.MessageId, "", m.MessageText, m.DequeueCount)).ToArray() : [];
    }

    [Fact]
    public async Task Done_leaves_the_message_to_the_host_and_writes_nothing()
    {
        var body = Body();
        await _settlement.SettleAsync(_queue, Received(body), DeliveryVerdict.Done, CancellationToken.None);

        Assert.Empty(await PeekAsync(_queue));
        Assert.Empty(await PeekAsync(PoisonQueueName.Of(_queue)));
    }

    [Fact]
    public async Task Retry_later_puts_the_same_text_back_invisible_until_the_delay_has_passed()
    {
        var body = Body();
        await _settlement.SettleAsync(_queue, Received(body), DeliveryVerdict.RetryLater(TimeSpan.FromSeconds(2), "ServiceUnavailable"),
            CancellationToken.None);

        Assert.Empty(await PeekAsync(_queue)); // not before the delay
        await Eventually.TrueAsync(async () => (await PeekAsync(_queue)).Length == 1, "the retry copy to become visible");
        var copy = Assert.Single(await PeekAsync(_queue));
        Assert.Equal(Convert.ToBase64String(body), copy.MessageText);
        Assert.Equal(0, copy.DequeueCount); // a fresh message: its dequeue count starts again
        Assert.Empty(await PeekAsync(PoisonQueueName.Of(_queue)));
    }

    [Fact]
    public async Task Dead_letter_records_the_reason_and_puts_the_text_unchanged_on_the_poison_queue()
    {
        var body = Body();
        var message = Received(body);
        await _settlement.SettleAsync(_queue, message,
            DeliveryVerdict.DeadLetter(DeadLetterReason.InvalidEvent(EventProblemCode.MissingField), "MissingField: subject: is required"),
            CancellationToken.None);

        var entry = Assert.Single(await _poison.ReceiveAsync(_queue, 32, TimeSpan.FromSeconds(30), CancellationToken.None));
        Assert.Equal(Convert.ToBase64String(body), entry.OriginalMessageText);
        Assert.Equal(body, entry.OriginalBody!.Value.ToArray());
        Assert.Equal("InvalidEvent:MissingField", entry.Reason.ToString());
        Assert.Equal("MissingField: subject: is required", entry.Description);
        Assert.Equal(message.MessageId, entry.MessageId);
        Assert.Equal(1, entry.DequeueCount);
        Assert.Equal(Now, entry.DeadLetteredOn);
        Assert.Empty(await PeekAsync(_queue));
    }

    [Fact]
    public async Task A_dead_letter_always_fits_even_for_the_largest_message_a_queue_holds()
    {
        // 48 KiB of body is 64 KiB of base64: the largest Storage message. The poison entry is that text, not a wrapper.
        var body = Body(48 * 1024 - 200);
        Assert.InRange(Convert.ToBase64String(body).Length, 63 * 1024, 64 * 1024);
        await _settlement.SettleAsync(_queue, Received(body),
            DeliveryVerdict.DeadLetter(DeadLetterReason.InvalidEvent(EventProblemCode.TooLarge), "TooLarge: (event): exceeds 32768 bytes"),
            CancellationToken.None);

        var entry = Assert.Single(await _poison.ReceiveAsync(_queue, 32, TimeSpan.FromSeconds(30), CancellationToken.None));
        Assert.Equal("InvalidEvent:TooLarge", entry.Reason.ToString());
        Assert.Equal(body.Length, entry.OriginalBody!.Value.Length);
    }

    [Fact]
    public async Task A_message_the_host_poisoned_reads_as_max_dequeue_count_and_undecodable_text_as_such()
    {
        var poison = _service.GetQueueClient(PoisonQueueName.Of(_queue));
        await poison.CreateIfNotExistsAsync();
        var body = Body();
        await poison.SendMessageAsync(Convert.ToBase64String(body));
        await poison.SendMessageAsync("%%% not base64 %%%");

        var entries = await _poison.ReceiveAsync(_queue, 32, TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.Equal(2, entries.Count);
        var failed = Assert.Single(entries, e => e.OriginalBody is not null);
        Assert.Equal(DeadLetterReason.MaxDequeueCountExceeded, failed.Reason);
        Assert.Equal(StorageQueueHostSettings.Default.MaxDequeueCount, failed.DequeueCount);
        var garbage = Assert.Single(entries, e => e.OriginalBody is null);
        Assert.Equal(DeadLetterReason.UndecodableMessage, garbage.Reason);
        Assert.Equal("%%% not base64 %%%", garbage.OriginalMessageText);
    }
}
