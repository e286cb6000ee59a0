using System.Text.Json.Nodes;

namespace Push.Bench;

/// <summary>
/// Reads BenchmarkDotNet's JSON reports and pairs each benchmark with the baseline it is compared against
/// (both measured in the same BenchmarkDotNet run).
/// </summary>
internal static class MicroSummary
{
    // method -> its baseline; names as in bench/Push.Bench.Micro.
    private static readonly (string Method, string Baseline, string Meaning)[] Pairs =
    [
        ("SealNewAesGcmPerCall", "SealReusedCipher", "a new AesGcm per push ÷ AesGcmPayloadCipher's reused instance (1 KB)"),
        ("MintJwt", "SignOnly", "an ES256 provider token through ApnsJwtIssuer ÷ the bare ECDSA P-256 signature"),
        ("ComposeIm", "SealOnly", "PushComposer.Compose for an IM (plan + seal + APNs JSON) ÷ sealing the same bytes alone"),
    ];

    public static JsonObject Read(string artifacts)
    {
        var results = Path.Combine(artifacts, "results");
        var benchmarks = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        if (Directory.Exists(results))
        {
            foreach (var file in Directory.EnumerateFiles(results, "*.json"))
            {
                if (JsonNode.Parse(File.ReadAllText(file))?["Benchmarks"] is not JsonArray list) continue;
                foreach (var b in list)
                {
                    var method = (string?)b?["Method"];
                    var mean = b?["Statistics"]?["Mean"];
                    if (method is null || mean is null) continue;
                    benchmarks[method] = new JsonObject
                    {
                        ["type"] = (string?)b!["Type"],
                        ["method"] = method,
                        ["meanNs"] = Math.Round((double)mean, 1),
                        ["medianNs"] = Math.Round((double)b["Statistics"]!["Median"]!, 1),
                        ["stdDevNs"] = Math.Round((double)b["Statistics"]!["StandardDeviation"]!, 1),
                        ["allocatedBytes"] = b["Memory"]?["BytesAllocatedPerOperation"]?.DeepClone(),
                    };
                }
            }
        }
        if (benchmarks.Count == 0)
        {
            return new JsonObject { ["status"] = "failed", ["reason"] = $"no BenchmarkDotNet JSON report under {results}" };
        }
        var ratios = new JsonArray();
        var missing = new List<string>();
        foreach (var (method, baseline, meaning) in Pairs)
        {
            if (!benchmarks.TryGetValue(method, out var m) || !benchmarks.TryGetValue(baseline, out var b))
            {
                // A benchmark that threw in its setup has no result (NA in BenchmarkDotNet's table): the run failed.
                missing.Add($"{method} / {baseline}");
                continue;
            }
            ratios.Add(new JsonObject
            {
                ["method"] = method,
                ["meanNs"] = m["meanNs"]!.DeepClone(),
                ["allocatedBytes"] = m["allocatedBytes"]?.DeepClone(),
                ["baseline"] = baseline,
                ["baselineMeanNs"] = b["meanNs"]!.DeepClone(),
                ["ratio"] = Math.Round((double)m["meanNs"]! / (double)b["meanNs"]!, 3),
                ["meaning"] = meaning,
            });
        }
        return new JsonObject
        {
            ["status"] = missing.Count == 0 ? "measured" : "failed",
            ["reason"] = missing.Count == 0 ? null : "no result for " + string.Join(", ", missing) + " (see BenchmarkDotNet's log)",
            ["job"] = "BenchmarkDotNet ShortRun (3 warm-ups, 3 iterations)",
            ["benchmarks"] = new JsonArray([.. benchmarks.Values.Select(v => (JsonNode)v)]),
            ["ratios"] = ratios,
        };
    }
}
