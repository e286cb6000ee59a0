namespace Push.Hosting.Tests.Infrastructure;

/// <summary>Waits for a condition; the timeout only bounds a failing test, it is not a performance claim.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    public static async Task WaitAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        await WaitAsync(() => Task.FromResult(condition()), what, timeout);

    public static async Task WaitAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("timed out waiting until " + what);
            await Task.Delay(50);
        }
    }
}
