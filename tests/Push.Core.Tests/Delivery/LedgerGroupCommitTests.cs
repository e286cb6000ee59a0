using Microsoft.Extensions.Time.Testing;
using Push.Core.Delivery;
using Push.Core.Ledger;
using Push.Testing;

namespace Push.Core.Tests.Delivery;

/// <summary>
/// One event's ledger rows go in one write when its devices answer together, and an answered device never waits
/// longer than the window for a slow one.
/// </summary>
public sealed class LedgerGroupCommitTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(50);
    private readonly InMemoryLedger _ledger = new();
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-11-23T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    private static LedgerEntry Delivered(string deviceId) => new("t-1", deviceId, "im.message", DeliveryStatus.Delivered, "apns", null,
        null, null, 1, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

    private LedgerGroupCommit Commit(int devices, TimeSpan window) => new(_ledger, devices, window, _clock, CancellationToken.None);

    [Fact]
    public async Task Outcomes_that_all_arrive_inside_the_window_are_written_once_together()
    {
        var commit = Commit(3, Window);
        commit.Add(Delivered("a"));
        commit.Add(Delivered("b"));
        Assert.Empty(_ledger.Writes); // waiting for the third device
        commit.Add(Delivered("c"));

        await commit.CompleteAsync();

        Assert.Equal(["a", "b", "c"], Assert.Single(_ledger.Writes));
    }

    [Fact]
    public async Task An_answered_device_is_written_when_the_window_ends_although_another_is_still_pending()
    {
        var commit = Commit(2, Window);
        commit.Add(Delivered("fast"));
        _clock.Advance(Window - TimeSpan.FromMilliseconds(1));
        Assert.Empty(_ledger.Writes);

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        // The timer's continuation runs on the thread pool.
        await Eventually.TrueAsync(() => !_ledger.Writes.IsEmpty, "the window's ledger write");
        Assert.Equal(["fast"], Assert.Single(_ledger.Writes));

        commit.Add(Delivered("slow"));
        await commit.CompleteAsync();
        Assert.Equal([["fast"], ["slow"]], _ledger.Writes.ToArray());
    }

    [Fact]
    public async Task Complete_writes_what_is_unwritten_at_once_without_waiting_for_the_window()
    {
        // A device failed unexpectedly, so not every outcome arrives: the others are still recorded.
        var commit = Commit(2, TimeSpan.FromSeconds(5));
        commit.Add(Delivered("a"));

        // The fake clock never advances, so a completion that waited for the window would never end.
        await commit.CompleteAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["a"], Assert.Single(_ledger.Writes));
    }

    [Fact]
    public async Task A_zero_window_writes_each_outcome_as_it_arrives()
    {
        var commit = Commit(2, TimeSpan.Zero);
        commit.Add(Delivered("a"));
        Assert.Equal(["a"], Assert.Single(_ledger.Writes));
        commit.Add(Delivered("b"));

        await commit.CompleteAsync();

        Assert.Equal([["a"], ["b"]], _ledger.Writes.ToArray());
    }

    [Fact]
    public async Task A_failed_write_fails_the_completion()
    {
        var commit = new LedgerGroupCommit(new FailingLedger(), 1, Window, _clock, CancellationToken.None);
        commit.Add(Delivered("a"));

        await Assert.ThrowsAsync<InvalidOperationException>(commit.CompleteAsync);
    }

    private sealed class FailingLedger : IDeliveryLedger
    {
        public Task<IReadOnlyDictionary<string, LedgerEntry>> GetAsync(string trackingId, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task RecordAsync(LedgerEntry entry, CancellationToken cancellationToken) =>
            Task.FromException(new InvalidOperationException("storage is down"));
    }
}
