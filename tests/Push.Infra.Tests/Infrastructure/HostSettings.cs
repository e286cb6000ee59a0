using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Push.Testing;

namespace Push.Infra.Tests.Infrastructure;

/// <summary>
/// The configuration keys the host knows, from where the host documents them: the keys of
/// functions/Push.Functions/appsettings.json, the Configuration table of README.md, the settings named in
/// functions/Push.Hosting/README.md, and host.json (read under AzureFunctionsJobHost). Keys use ':' and
/// compare case-insensitively, as .NET configuration does.
/// </summary>
public static partial class HostSettings
{
    public static string AppSettingsPath => RepositoryPaths.Combine("functions", "Push.Functions", "appsettings.json");

    public static JsonObject AppSettings => JsonNode.Parse(File.ReadAllText(AppSettingsPath))!.AsObject();

    public static JsonObject HostJson => JsonNode.Parse(File.ReadAllText(RepositoryPaths.Combine("host.json")))!.AsObject();

    public static IReadOnlySet<string> KnownKeys()
    {
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        Flatten(AppSettings, "", keys);
        Flatten(HostJson, "AzureFunctionsJobHost", keys);
        keys.UnionWith(ReadmeConfigurationTable());
        keys.UnionWith(HostingReadmeSettings());
        return keys;
    }

    /// <summary>The setting names in the first column of README.md's "## Configuration" table.</summary>
    public static IReadOnlyList<string> ReadmeConfigurationTable()
    {
        var lines = File.ReadAllLines(RepositoryPaths.Combine("README.md"));
        var start = Array.FindIndex(lines, l => l.Trim().Equals("## Configuration", StringComparison.OrdinalIgnoreCase));
        if (start < 0)
        {
            throw new InvalidOperationException("README.md has no '## Configuration' section");
        }
        var names = new List<string>();
        foreach (var line in lines.Skip(start + 1).TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal)))
        {
            if (!line.TrimStart().StartsWith('|') || line.Contains("---", StringComparison.Ordinal))
            {
                continue;
            }
            var firstCell = line.Split('|', StringSplitOptions.TrimEntries)[1];
            names.AddRange(Backticked().Matches(firstCell).Select(m => ToConfigurationKey(m.Groups[1].Value)));
        }
        return names;
    }

    /// <summary>Environment-style names (<c>A__B</c>) the hosting README documents, e.g. AzureWebJobsStorage__queueServiceUri.</summary>
    public static IEnumerable<string> HostingReadmeSettings()
    {
        var path = RepositoryPaths.Combine("functions", "Push.Hosting", "README.md");
        return File.Exists(path)
            ? Backticked().Matches(File.ReadAllText(path)).Select(m => m.Groups[1].Value).Where(n => n.Contains("__", StringComparison.Ordinal))
                .Select(ToConfigurationKey)
            : [];
    }

    public static string ToConfigurationKey(string environmentName) => environmentName.Replace("__", ":", StringComparison.Ordinal);

    private static void Flatten(JsonNode? node, string prefix, HashSet<string> keys)
    {
        if (node is JsonObject obj)
        {
            foreach (var (key, value) in obj)
            {
                Flatten(value, prefix.Length == 0 ? key : prefix + ":" + key, keys);
            }
        }
        else if (prefix.Length > 0)
        {
            keys.Add(prefix);
        }
    }

    [GeneratedRegex("`([A-Za-z_][A-Za-z0-9_:.]*)`")]
    private static partial Regex Backticked();
}
