using Push.Core.Ledger;

namespace Push.Core.Delivery;

/// <summary>
/// Group commit of one event's ledger rows. A device's outcome is written once every device of the event has
/// answered, or <see cref="DeliveryOptions.LedgerGroupCommitWindow"/> after the first outcome still unwritten,
/// whichever comes first.
/// </summary>
/// <remarks>
/// Providers usually answer an event's pushes within milliseconds of each other, so the usual event costs one
/// Table transaction instead of one write per device (storage round trips are what limit a drain). The window
/// bounds what this costs in safety: a device that has answered waits at most that long for a slow sibling
/// before its row is written, so a host that dies while one push hangs still has the others on record and
/// does not push them again.
/// </remarks>
internal sealed class LedgerGroupCommit
{
    private readonly IDeliveryLedger _ledger;
    private readonly TimeSpan _window;
    private readonly TimeProvider _time;
    private readonly CancellationToken _cancellationToken;
    private readonly CancellationTokenSource _windowTimer = new();
    private readonly Lock _gate = new();
    private readonly List<Task> _writes = [];
    private List<LedgerEntry> _unwritten = [];
    private int _outstanding;

    public LedgerGroupCommit(IDeliveryLedger ledger, int expectedOutcomes, TimeSpan window, TimeProvider time, CancellationToken cancellationToken)
    {
        _ledger = ledger;
        _outstanding = expectedOutcomes;
        _window = window;
        _time = time;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Adds one device's outcome; the write happens in the background (see <see cref="CompleteAsync"/>).</summary>
    public void Add(LedgerEntry entry)
    {
        lock (_gate)
        {
            _unwritten.Add(entry);
            _outstanding--;
            if (_outstanding <= 0 || _window <= TimeSpan.Zero)
            {
                _writes.Add(Write(TakeUnwritten()));
            }
            else if (_unwritten.Count == 1)
            {
                _writes.Add(WriteWhenWindowEndsAsync());
            }
        }
    }

    /// <summary>Writes whatever is still unwritten now (the window need not end) and waits for every write.</summary>
    public async Task CompleteAsync()
    {
        Task[] writes;
        lock (_gate)
        {
            _writes.Add(Write(TakeUnwritten()));
            writes = [.. _writes];
        }
        await _windowTimer.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(writes).ConfigureAwait(false);
        }
        finally
        {
            _windowTimer.Dispose();
        }
    }

    private async Task WriteWhenWindowEndsAsync()
    {
        try
        {
            await Task.Delay(_window, _time, _windowTimer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_windowTimer.IsCancellationRequested)
        {
            return; // every outcome was taken by an earlier write
        }
        List<LedgerEntry> batch;
        lock (_gate)
        {
            batch = TakeUnwritten();
        }
        await Write(batch).ConfigureAwait(false);
    }

    // Callers hold _gate.
    private List<LedgerEntry> TakeUnwritten()
    {
        var batch = _unwritten;
        _unwritten = [];
        return batch;
    }

    private Task Write(List<LedgerEntry> batch) =>
        batch.Count == 0 ? Task.CompletedTask : _ledger.RecordManyAsync(batch, _cancellationToken);
}
