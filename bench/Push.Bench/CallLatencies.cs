using System.Diagnostics;
using Push.Core.Events;

namespace Push.Bench;

/// <summary>Call latency as a caller feels it: enqueue (just before the send) → the callee's push at the sandbox.</summary>
internal static class CallLatencies
{
    /// <summary>
    /// Publishes <see cref="World.CallWarmup"/> warm-up calls and then <paramref name="count"/> calls 50 ms apart, each to its
    /// own iPhone, and returns each measured call's latency in ms (one clock: the harness's, which the in-process sandbox
    /// stamps arrivals with).
    /// </summary>
    public static async Task<List<double>> MeasureAsync(Func<PushEvent, Task> publishCall, World world,
        List<(string User, string PushToken, string VoipToken)> callees, int count, Func<Task>? afterLastSend)
    {
        if (callees.Count < World.CallWarmup + count) throw new ArgumentException($"{World.CallWarmup + count} callees needed, {callees.Count} registered");
        async Task<Dictionary<string, DateTimeOffset>> Publish(IEnumerable<(string User, string PushToken, string VoipToken)> targets)
        {
            var sent = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
            foreach (var (user, push, voip) in targets)
            {
                var evt = World.CallEvent(user);
                var at = DateTimeOffset.UtcNow;
                await publishCall(evt);
                sent[push] = at;
                sent[voip] = at;
                await Task.Delay(50);
            }
            return sent;
        }
        async Task<List<double>> Await(Dictionary<string, DateTimeOffset> sent, int expected)
        {
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                var got = world.Sandbox.ApnsPushes.Where(p => sent.ContainsKey(p.DeviceToken))
                    .GroupBy(p => sent[p.DeviceToken])
                    .Select(g => (g.Min(p => p.ReceivedAt) - g.Key).TotalMilliseconds)
                    .ToList();
                if (got.Count >= expected) return got;
                if (deadline.Elapsed > TimeSpan.FromSeconds(90)) throw new TimeoutException($"{got.Count} of {expected} call pushes arrived within 90 s");
                await Task.Delay(50);
            }
        }
        await Await(await Publish(callees.Take(World.CallWarmup)), World.CallWarmup);
        var measured = await Publish(callees.Skip(World.CallWarmup).Take(count));
        if (afterLastSend is not null) await afterLastSend();
        return await Await(measured, count);
    }
}
