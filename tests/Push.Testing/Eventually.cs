namespace Push.Testing;

/// <summary>
/// Waits for a condition that something else makes true asynchronously: the one polling loop of the test projects. The
/// deadline only bounds a failing test; it is never a performance claim.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        TrueAsync(() => Task.FromResult(condition()), what, timeout);

    public static Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        ValueAsync(condition, done => done, _ => what, timeout);

    /// <summary>
    /// Reads until <paramref name="done"/> accepts what was read, and returns it. At the deadline, or as soon as
    /// <paramref name="hopeless"/> says the condition can no longer come true (a process exited), fails with
    /// <paramref name="what"/> of the last value read.
    /// </summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T>> read, Func<T, bool> done, Func<T, string> what, TimeSpan? timeout = null,
        Func<bool>? hopeless = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var value = await read().ConfigureAwait(false);
            if (done(value)) return value;
            if (DateTime.UtcNow > deadline || hopeless?.Invoke() == true)
            {
                throw new TimeoutException($"timed out after {limit} waiting for {what(value)}");
            }
            await Task.Delay(PollInterval).ConfigureAwait(false);
        }
    }
}
