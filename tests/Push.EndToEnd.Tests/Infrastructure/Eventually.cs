namespace Push.EndToEnd.Tests.Infrastructure;

/// <summary>Polls a condition that the relay makes true asynchronously; fails with what it was waiting for.</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out after {timeout} waiting for {what}");
            await Task.Delay(100);
        }
    }
}
