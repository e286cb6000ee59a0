namespace Push.Testing;

/// <summary>
/// Waits for a condition that something else makes true asynchronously. The deadline only bounds a failing test; it is
/// never a performance claim.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        TrueAsync(() => Task.FromResult(condition()), what, timeout);

    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var deadline = DateTime.UtcNow + limit;
        while (!await condition().ConfigureAwait(false))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out after {limit} waiting for {what}");
            await Task.Delay(50).ConfigureAwait(false);
        }
    }
}
