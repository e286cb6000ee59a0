namespace Push.Core.Delivery;

/// <summary>
/// Calls go first on this instance: while a call is being delivered, no new instant-message delivery starts, for at
/// most <see cref="DeliveryOptions.MessageYieldLimit"/> per message.
/// </summary>
/// <remarks>
/// Separate queues and listeners keep a call from waiting behind queued messages, but once received both share this
/// instance's CPU, its storage account and its provider connections. A ringing phone is worth a few hundred
/// milliseconds; a chat message is not. The limit keeps a stream of calls from starving messages: a message waits
/// at most that long, then goes ahead whatever the calls do.
/// </remarks>
public sealed class CallPriority
{
    private readonly Lock _gate = new();
    private int _callsInFlight;
    private TaskCompletionSource _noCalls = Completed();

    /// <summary>How many calls this instance is delivering now.</summary>
    public int CallsInFlight
    {
        get
        {
            lock (_gate) return _callsInFlight;
        }
    }

    /// <summary>Marks a call delivery as running until the returned scope is disposed.</summary>
    public CallScope EnterCall()
    {
        lock (_gate)
        {
            if (_callsInFlight++ == 0)
            {
                _noCalls = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
        return new CallScope(this);
    }

    /// <summary>
    /// Completes at once when no call is in flight; otherwise when the last one ends or <paramref name="limit"/> has
    /// passed, whichever is first. Returns whether the message had to wait.
    /// </summary>
    public async Task<bool> YieldToCallsAsync(TimeSpan limit, TimeProvider time, CancellationToken cancellationToken)
    {
        Task noCalls;
        lock (_gate)
        {
            if (_callsInFlight == 0) return false;
            noCalls = _noCalls.Task;
        }
        try
        {
            await noCalls.WaitAsync(limit, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The limit: messages are not starved by a stream of calls.
        }
        return true;
    }

    private void ExitCall()
    {
        TaskCompletionSource? released = null;
        lock (_gate)
        {
            if (--_callsInFlight == 0) released = _noCalls;
        }
        released?.TrySetResult();
    }

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource();
        done.SetResult();
        return done;
    }

    /// <summary>One call delivery in flight.</summary>
    public readonly struct CallScope(CallPriority owner) : IDisposable
    {
        public void Dispose() => owner.ExitCall();
    }
}
