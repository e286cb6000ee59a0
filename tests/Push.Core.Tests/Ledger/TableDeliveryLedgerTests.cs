using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Push.Core.Ledger;
using Push.Testing;

namespace Push.Core.Tests.Ledger;

public sealed class TableDeliveryLedgerTests : IClassFixture<AzuriteFixture>
{
    private static readonly DateTimeOffset T0 = new DateTimeOffset(2025, 5, 6, 7, 8, 9, TimeSpan.Zero).AddTicks(7_654_321);
    private readonly AzuriteFixture _azurite;
    private readonly string _table = AzuriteFixture.UniqueName("deliveries");
    private readonly TableDeliveryLedger _ledger;

    public TableDeliveryLedgerTests(AzuriteFixture azurite)
    {
        _azurite = azurite;
        _ledger = NewLedger();
    }

    private TableDeliveryLedger NewLedger() => new(
        new TableServiceClient(_azurite.ConnectionString),
        Options.Create(new DeliveryLedgerOptions { Table = _table }),
        NullLogger<TableDeliveryLedger>.Instance);

    private static LedgerEntry Entry(string trackingId, string deviceId, DeliveryStatus status = DeliveryStatus.Delivered, int attempts = 1) => new(
        trackingId, deviceId, "push.call.incoming", status, "apns", null, Guid.NewGuid(), "provider-" + deviceId, attempts,
        T0, T0.AddSeconds(attempts));

    [Fact]
    public async Task Every_field_round_trips()
    {
        var entry = new LedgerEntry(
            "evt-" + Guid.NewGuid(), "iphone-1", "push.im.message", DeliveryStatus.DeadLettered, "fcm", "PayloadTooLarge",
            Guid.NewGuid(), "projects/p/messages/123", 3, T0, T0.AddMinutes(2).AddTicks(3));
        await _ledger.RecordAsync(entry, CancellationToken.None);

        var stored = await _ledger.GetAsync(entry.TrackingId, CancellationToken.None);

        Assert.Equal(entry, Assert.Single(stored).Value);
        Assert.Equal("iphone-1", Assert.Single(stored).Key);
    }

    [Fact]
    public async Task Null_fields_and_the_no_devices_row_round_trip()
    {
        var entry = new LedgerEntry("evt-" + Guid.NewGuid(), LedgerEntry.NoDevicesRowKey, "push.call.ended", DeliveryStatus.Pending,
            null, null, null, null, 0, T0, T0);
        await _ledger.RecordAsync(entry, CancellationToken.None);

        var stored = await _ledger.GetAsync(entry.TrackingId, CancellationToken.None);

        Assert.Equal(entry, stored[LedgerEntry.NoDevicesRowKey]);
    }

    [Fact]
    public async Task Tracking_and_device_ids_with_characters_keys_forbid_round_trip()
    {
        var trackingId = "cluster-a/evt#1?x=%41\\" + Guid.NewGuid();
        var entry = Entry(trackingId, "dev/1#%");
        await _ledger.RecordAsync(entry, CancellationToken.None);
        await _ledger.RecordAsync(Entry("cluster-a", "other"), CancellationToken.None);

        var stored = await _ledger.GetAsync(trackingId, CancellationToken.None);

        Assert.Equal(entry, Assert.Single(stored).Value);
    }

    [Fact]
    public async Task Recording_again_replaces_the_entry()
    {
        var trackingId = "evt-" + Guid.NewGuid();
        var pending = Entry(trackingId, "d1", DeliveryStatus.Pending) with { Reason = "ServiceUnavailable" };
        await _ledger.RecordAsync(pending, CancellationToken.None);
        var delivered = pending with { Status = DeliveryStatus.Delivered, Reason = null, Attempts = 2, LastAttemptAt = T0.AddSeconds(30) };

        await _ledger.RecordAsync(delivered, CancellationToken.None);

        var stored = Assert.Single(await _ledger.GetAsync(trackingId, CancellationToken.None)).Value;
        Assert.Equal(delivered, stored);
        Assert.Null(stored.Reason);
    }

    [Fact]
    public async Task An_unknown_tracking_id_has_no_entries()
    {
        Assert.Empty(await _ledger.GetAsync("never-seen-" + Guid.NewGuid(), CancellationToken.None));
    }

    [Fact]
    public async Task A_batch_spanning_tracking_ids_and_more_than_a_hundred_rows_is_written_completely()
    {
        var big = "evt-big-" + Guid.NewGuid();
        var small = "evt-small-" + Guid.NewGuid();
        var entries = Enumerable.Range(0, 230).Select(i => Entry(big, "d" + i))
            .Concat(Enumerable.Range(0, 3).Select(i => Entry(small, "d" + i)))
            .ToList();
        // The same row twice in one batch: the last one wins instead of failing the transaction.
        var last = Entry(small, "d0", DeliveryStatus.Expired, attempts: 4);
        entries.Add(last);

        await _ledger.RecordManyAsync(entries, CancellationToken.None);

        var bigRows = await _ledger.GetAsync(big, CancellationToken.None);
        Assert.Equal(230, bigRows.Count);
        Assert.Equal(entries[117], bigRows["d117"]);
        var smallRows = await _ledger.GetAsync(small, CancellationToken.None);
        Assert.Equal(3, smallRows.Count);
        Assert.Equal(last, smallRows["d0"]);
    }

    [Fact]
    public async Task A_batch_replaces_existing_rows()
    {
        var trackingId = "evt-" + Guid.NewGuid();
        await _ledger.RecordAsync(Entry(trackingId, "d1", DeliveryStatus.Pending), CancellationToken.None);
        var updated = new[] { Entry(trackingId, "d1", DeliveryStatus.Delivered, 2), Entry(trackingId, "d2", DeliveryStatus.TokenRemoved) };

        await _ledger.RecordManyAsync(updated, CancellationToken.None);

        var rows = await _ledger.GetAsync(trackingId, CancellationToken.None);
        Assert.Equal(updated[0], rows["d1"]);
        Assert.Equal(updated[1], rows["d2"]);
    }

    [Fact]
    public async Task Batching_through_the_interface_reaches_the_table()
    {
        IDeliveryLedger ledger = _ledger;
        var trackingId = "evt-" + Guid.NewGuid();

        await ledger.RecordManyAsync([Entry(trackingId, "a"), Entry(trackingId, "b")], CancellationToken.None);

        Assert.Equal(2, (await NewLedger().GetAsync(trackingId, CancellationToken.None)).Count);
    }
}
