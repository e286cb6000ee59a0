using System.Diagnostics;

namespace Push.Bench;

/// <summary>
/// Drives an async send with a fixed number of requests in flight until a request count is reached, like
/// h2load's <c>-c × -m</c>: each worker starts its next request as soon as its last one is answered.
/// </summary>
internal static class ClosedLoop
{
    public static async Task<LoadResult> RunAsync(string peer, int requests, int inFlight, Func<Task<bool>> send)
    {
        var latencies = new double[requests];
        var next = -1;
        var succeeded = 0;
        string? failure = null;
        var started = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, Math.Min(inFlight, requests)).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests)
            {
                var t0 = Stopwatch.GetTimestamp();
                try
                {
                    if (await send().ConfigureAwait(false)) Interlocked.Increment(ref succeeded);
                    else failure ??= "a request was not accepted";
                }
                catch (Exception ex)
                {
                    failure ??= ex.GetType().Name + ": " + ex.Message;
                }
                latencies[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            }
        })).ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var (p50, p99) = LoadResult.Percentiles(latencies);
        return new LoadResult(peer, requests, succeeded, seconds, p50, p99, failure);
    }
}
