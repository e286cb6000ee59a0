using System.Text.Json.Nodes;

namespace Push.Infra.Tests.Infrastructure;

/// <summary>The function app of a compiled template: its functionAppConfig and its app settings, evaluated.</summary>
public sealed class FunctionAppSite
{
    private FunctionAppSite(ResourceInstance resource)
    {
        Resource = resource;
        Config = resource.Get("properties.functionAppConfig")!.AsObject();
        var settings = resource.Get("properties.siteConfig.appSettings")!.AsArray().Select(s => s!.AsObject()).ToList();
        Names = settings.Select(s => s["name"]!.GetValue<string>()).ToList();
        // Last one wins, as App Service would keep it; a test checks that no name is given twice.
        var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var setting in settings)
        {
            byName[setting["name"]!.GetValue<string>()] = setting["value"]!.GetValue<string>();
        }
        Settings = byName;
    }

    public static FunctionAppSite From(ArmTemplate template) =>
        new(Assert.Single(template.DeployedOfType("Microsoft.Web/sites")));

    public ResourceInstance Resource { get; }

    public JsonObject Config { get; }

    /// <summary>The setting names in template order (duplicates kept, so a test can see them).</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Name → value; app setting names are case-insensitive, as on App Service.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; }

    public string Setting(string name) => Settings.TryGetValue(name, out var value)
        ? value
        : throw new Xunit.Sdk.XunitException($"the function app has no setting {name}; it has: {string.Join(", ", Names)}");

    /// <summary>The functions named "function:&lt;name&gt;" in scaleAndConcurrency.alwaysReady, with their instance counts.</summary>
    public IReadOnlyDictionary<string, int> AlwaysReady => Config["scaleAndConcurrency"]!["alwaysReady"]!.AsArray()
        .ToDictionary(a => a!["name"]!.GetValue<string>(), a => a!["instanceCount"]!.GetValue<int>());

    /// <summary>The functions AzureWebJobs.&lt;name&gt;.Disabled = true turns off.</summary>
    public IReadOnlySet<string> DisabledFunctions => Settings
        .Where(s => s.Key.StartsWith("AzureWebJobs.", StringComparison.Ordinal) && s.Key.EndsWith(".Disabled", StringComparison.Ordinal)
            && s.Value.Equals("true", StringComparison.OrdinalIgnoreCase))
        .Select(s => s.Key["AzureWebJobs.".Length..^".Disabled".Length])
        .ToHashSet(StringComparer.Ordinal);

    /// <summary>The settings as the app's configuration sees them on Linux: "__" is the section separator.</summary>
    public Dictionary<string, string?> AsConfiguration() =>
        Settings.ToDictionary(s => s.Key.Replace("__", ":", StringComparison.Ordinal), s => (string?)s.Value, StringComparer.OrdinalIgnoreCase);
}
