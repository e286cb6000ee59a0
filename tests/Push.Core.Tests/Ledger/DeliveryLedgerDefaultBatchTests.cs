using Push.Core.Ledger;

namespace Push.Core.Tests.Ledger;

public sealed class DeliveryLedgerDefaultBatchTests
{
    [Fact]
    public async Task A_ledger_without_its_own_batch_records_each_entry_in_order()
    {
        var ledger = new RecordingLedger();
        var at = DateTimeOffset.UnixEpoch;
        var entries = Enumerable.Range(0, 3)
            .Select(i => new LedgerEntry("t", "d" + i, "push.im.message", DeliveryStatus.Delivered, "fcm", null, null, null, 1, at, at))
            .ToArray();

        await ((IDeliveryLedger)ledger).RecordManyAsync(entries, CancellationToken.None);

        Assert.Equal(entries, ledger.Recorded);
    }

    private sealed class RecordingLedger : IDeliveryLedger
    {
        public List<LedgerEntry> Recorded { get; } = [];

        public Task<IReadOnlyDictionary<string, LedgerEntry>> GetAsync(string trackingId, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task RecordAsync(LedgerEntry entry, CancellationToken cancellationToken)
        {
            Recorded.Add(entry);
            return Task.CompletedTask;
        }
    }
}
