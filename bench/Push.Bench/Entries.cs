using System.Globalization;
using System.Text.Json.Nodes;

namespace Push.Bench;

/// <summary>The JSON shape every comparison entry shares (bench/README.md, "Reading latest.json").</summary>
internal static class Entries
{
    public static JsonObject Entry(string key, string op, double goal) =>
        new() { ["key"] = key, ["goal"] = $"{op} {goal.ToString(CultureInfo.InvariantCulture)}", ["goalValue"] = goal };

    /// <summary>An entry with no goal to meet: the figure is reported as it is.</summary>
    public static JsonObject Report(string key, string aim) => new() { ["key"] = key, ["goal"] = "report", ["aim"] = aim };

    public static JsonObject Figure(string name, string unit, double value, double? p50, double? p99, IEnumerable<double> rounds, int digits = 1) => new()
    {
        ["name"] = name,
        ["value"] = Math.Round(value, digits),
        ["unit"] = unit,
        ["p50Ms"] = p50 is { } a && double.IsFinite(a) ? Math.Round(a, 3) : null,
        ["p99Ms"] = p99 is { } b && double.IsFinite(b) ? Math.Round(b, 3) : null,
        ["rounds"] = new JsonArray([.. rounds.Select(r => (JsonNode)JsonValue.Create(Math.Round(r, digits)))]),
    };

    public static JsonObject Fail(JsonObject entry, string why)
    {
        entry["status"] = "failed";
        entry["reason"] = why;
        return entry;
    }

    public static JsonArray Numbers(IEnumerable<double> values, int digits = 3) =>
        new([.. values.Select(v => (JsonNode)JsonValue.Create(Math.Round(v, digits)))]);
}
