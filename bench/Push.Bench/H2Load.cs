using System.Globalization;
using System.Text.RegularExpressions;

namespace Push.Bench;

/// <summary>
/// nghttp2's h2load: the ceiling of an HTTP/2 endpoint. HTTP/2 over TLS (ALPN h2), the same headers, body,
/// connections, streams in flight and request count as our client; latency from its per-request log.
/// h2load does not verify the server's certificate: that is its own behaviour, not a switch of ours.
/// </summary>
internal static partial class H2Load
{
    public static async Task<LoadResult> RunAsync(string h2load, Uri url, IReadOnlyList<(string Name, string Value)> headers,
        string bodyPath, int requests, int connections, int streams, string workDirectory)
    {
        var logPath = Path.Combine(workDirectory, "h2load-" + Guid.NewGuid().ToString("N") + ".log");
        var args = new List<string>
        {
            "-n", requests.ToString(CultureInfo.InvariantCulture),
            "-c", connections.ToString(CultureInfo.InvariantCulture),
            "-m", streams.ToString(CultureInfo.InvariantCulture),
            "-t", "1",
            "-d", bodyPath,
            "--log-file", logPath,
        };
        foreach (var (name, value) in headers)
        {
            args.Add("-H");
            args.Add(name + ": " + value);
        }
        args.Add(url.AbsoluteUri);
        var (exit, stdout, stderr) = await Processes.RunAsync(h2load, args, TimeSpan.FromMinutes(3)).ConfigureAwait(false);
        try
        {
            if (exit != 0) return Failed(requests, $"h2load exited {exit}: {stderr.Trim()} {stdout.Trim()}");
            if (!stdout.Contains("Application protocol: h2", StringComparison.Ordinal)) return Failed(requests, "h2load did not negotiate h2: " + stdout);
            var rate = RateLine().Match(stdout);
            var counts = StatusLine().Match(stdout);
            if (!rate.Success || !counts.Success) return Failed(requests, "could not read h2load's summary: " + stdout);
            var perSecond = double.Parse(rate.Groups[1].Value, CultureInfo.InvariantCulture);
            var ok2xx = int.Parse(counts.Groups[1].Value, CultureInfo.InvariantCulture);
            var latencies = File.ReadLines(logPath)
                .Select(line => line.Split('\t'))
                .Where(f => f.Length >= 3)
                .Select(f => double.Parse(f[2], CultureInfo.InvariantCulture) / 1000.0)
                .ToArray();
            var (p50, p99) = LoadResult.Percentiles(latencies);
            var failure = ok2xx == requests ? null : $"h2load: only {ok2xx} of {requests} answered 2xx ({StatusSummary().Match(stdout).Value})";
            return new LoadResult("h2load", requests, ok2xx, ok2xx / perSecond, p50, p99, failure);
        }
        finally
        {
            File.Delete(logPath);
        }
    }

    private static LoadResult Failed(int requests, string why) => new("h2load", requests, 0, 1, null, null, why);

    [GeneratedRegex(@"finished in [0-9.]+m?s, ([0-9.]+) req/s")]
    private static partial Regex RateLine();

    [GeneratedRegex(@"status codes: (\d+) 2xx")]
    private static partial Regex StatusLine();

    [GeneratedRegex(@"status codes: [^\n]*")]
    private static partial Regex StatusSummary();
}
