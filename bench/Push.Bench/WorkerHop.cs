using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Push.Bench;

/// <summary>
/// worker_hop_us: the invocation round trip through the local host (InvocationRequest out → InvocationResponse back over
/// the host's gRPC channel to a real isolated worker) for a function that does nothing — tests/LocalFunctionsHost.Tests'
/// <c>InvocationRoundTripMeasurement</c>, which times it around LocalFunctionsHost's own invoker with the sample app's
/// <c>Noop</c> function and prints the figures (it asserts no timing). Run from its Release build, the figures parsed.
/// </summary>
internal static partial class WorkerHop
{
    public static async Task<JsonObject> MeasureAsync(string repo)
    {
        var e = Entries.Report("worker_hop_us", "report (a previous measurement: idle p50 410 µs, p99 8,400 µs)");
        var dll = Path.Combine(repo, "tests", "LocalFunctionsHost.Tests", "bin", "Release", "net10.0", "LocalFunctionsHost.Tests.dll");
        if (!File.Exists(dll)) return Entries.Fail(e, $"{dll} is missing (bench/run builds tests/LocalFunctionsHost.Tests)");
        var (exit, stdout, stderr) = await Processes.RunAsync("dotnet",
            ["test", dll, "--filter", "FullyQualifiedName~InvocationRoundTripMeasurement", "--logger", "console;verbosity=detailed"],
            TimeSpan.FromMinutes(5), repo);
        var idle = Line().Match(stdout);
        var loaded = LoadedLine().Match(stdout);
        if (exit != 0 || !idle.Success || !loaded.Success)
        {
            return Entries.Fail(e, $"the measurement exited {exit} without its figures: {(stdout + stderr).Trim().Split('\n').LastOrDefault()}");
        }
        double Us(Match m, string group) => double.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture) * 1000;
        e["status"] = "measured";
        e["ours"] = Entries.Figure("invocation round trip, idle (one at a time)", "µs p50", Us(idle, "p50"), Us(idle, "p50") / 1000, Us(idle, "p99") / 1000, [Us(idle, "p50")], digits: 0);
        e["value"] = Math.Round(Us(idle, "p50"), 0);
        e["p50Us"] = Math.Round(Us(idle, "p50"), 0);
        e["p99Us"] = Math.Round(Us(idle, "p99"), 0);
        e["loaded"] = new JsonObject
        {
            ["inFlight"] = 32,
            ["p50Us"] = Math.Round(Us(loaded, "p50"), 0),
            ["p99Us"] = Math.Round(Us(loaded, "p99"), 0),
        };
        e["method"] = "tests/LocalFunctionsHost.Tests InvocationRoundTripMeasurement (Release build): LocalFunctionsHost in the test process with the sample app's isolated worker as its child; the stopwatch runs around FunctionInvoker.InvokeAsync for the sample's Noop queue function (the binding built by hand, no queue involved): 300 warm-up calls, 2,000 one at a time (idle), then 32 loops of 150 (32 in flight).";
        return e;
    }

    [GeneratedRegex(@"invocation round trip, idle:\s+p50 (?<p50>[0-9.]+) ms, p99 (?<p99>[0-9.]+) ms")]
    private static partial Regex Line();

    [GeneratedRegex(@"invocation round trip, 32 in flight:\s+p50 (?<p50>[0-9.]+) ms, p99 (?<p99>[0-9.]+) ms")]
    private static partial Regex LoadedLine();
}
