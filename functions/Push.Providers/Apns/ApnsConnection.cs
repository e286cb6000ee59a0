namespace Push.Providers.Apns;

/// <summary>
/// One HTTP/2 connection to APNs (a handler that never opens a second one) and a cap on the
/// requests in flight on it, so one connection's queue cannot grow without bound.
/// </summary>
internal sealed class ApnsConnection : IDisposable
{
    private readonly SemaphoreSlim _slots;
    private int _inFlight;

    public ApnsConnection(int index, HttpMessageHandler handler, int maxInFlight)
    {
        Index = index;
        Invoker = new HttpMessageInvoker(handler, disposeHandler: true);
        _slots = new SemaphoreSlim(maxInFlight, maxInFlight);
    }

    public int Index { get; }

    public HttpMessageInvoker Invoker { get; }

    /// <summary>Requests holding or waiting for a slot: what the least-loaded choice compares.</summary>
    public int Load => Volatile.Read(ref _inFlight);

    public async ValueTask<Lease> AcquireAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _inFlight);
        try
        {
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Interlocked.Decrement(ref _inFlight);
            throw;
        }
        return new Lease(this);
    }

    public void Dispose()
    {
        Invoker.Dispose();
        _slots.Dispose();
    }

    private void Release()
    {
        _slots.Release();
        Interlocked.Decrement(ref _inFlight);
    }

    public readonly struct Lease(ApnsConnection connection) : IDisposable
    {
        public void Dispose() => connection.Release();
    }
}
