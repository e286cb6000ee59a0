using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Push.Bench;

/// <summary>The printed summary: one row per comparison, then the micro-benchmark ratios.</summary>
internal static class Table
{
    public static string Render(IEnumerable<JsonObject> comparisons, JsonNode? micro)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| comparison | ours | p50 / p99 ms | peer | p50 / p99 ms | ratio | goal | met |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var c in comparisons)
        {
            if ((string?)c["status"] != "measured")
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"| {c["key"]} | {c["status"]}: {c["reason"]} | | | | | {c["goal"]} | – |");
                continue;
            }
            var ours = c["ours"]!;
            var peer = c["peer"];
            // A figure without a peer (peak_rss_mb) shows its own value where a ratio would be.
            var peerCells = peer is null ? "– | " : $"{peer["name"]}: {V((double)peer["value"]!)} {peer["unit"]} | {peer["p50Ms"]} / {peer["p99Ms"]}";
            var ratio = c["ratio"] is { } r ? ((double)r).ToString("0.00", CultureInfo.InvariantCulture) : $"{V((double)ours["value"]!)} {ours["unit"]}";
            var met = c["goalMet"] is { } m ? ((bool)m ? "yes" : "NO") : "–";
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {c["key"]} | {V((double)ours["value"]!)} {ours["unit"]} | {ours["p50Ms"]} / {ours["p99Ms"]} | {peerCells} | {ratio} | {c["goal"]} | {met} |");
        }
        if (micro?["ratios"] is JsonArray ratios)
        {
            sb.AppendLine();
            sb.AppendLine("| micro-benchmark | mean | allocated | baseline | baseline mean | ratio |");
            sb.AppendLine("|---|---|---|---|---|---|");
            foreach (var r in ratios)
            {
                sb.AppendLine(CultureInfo.InvariantCulture,
                    $"| {r!["method"]} | {Ns((double)r["meanNs"]!)} | {r["allocatedBytes"]} B | {r["baseline"]} | {Ns((double)r["baselineMeanNs"]!)} | {(double)r["ratio"]!:0.00} |");
            }
        }
        return sb.ToString();
    }

    /// <summary>Small figures (ms per event, requests per event) keep their decimals; large ones get thousands separators.</summary>
    private static string V(double value) =>
        Math.Abs(value) < 10 ? value.ToString("0.###", CultureInfo.InvariantCulture) : value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Ns(double ns) => ns >= 1000 ? $"{ns / 1000:0.00} µs" : $"{ns:0} ns";
}
