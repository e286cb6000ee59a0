using Microsoft.Extensions.Configuration;

namespace LocalFunctionsHost.Configuration;

/// <summary>
/// The app settings as Core Tools makes them: the host's environment, plus each <c>local.settings.json</c> Value whose
/// name is not already set to a non-empty value in the environment (Core Tools' <c>StartHostAction</c> skips such a
/// Value with a warning: the environment wins). They are the worker's environment and the source of <c>%Setting%</c>
/// resolution, host.json overrides (<c>AzureFunctionsJobHost__…</c>) and this host's own settings (<c>LocalFunctionsHost__…</c>).
/// </summary>
internal sealed class AppSettings
{
    private AppSettings(IReadOnlyDictionary<string, string> variables, IReadOnlyList<string> skippedValues)
    {
        Variables = variables;
        SkippedValues = skippedValues;
        // Keys as .NET reads environment variables: "__" is the section separator, "A:B" is the same key as "A__B".
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in variables)
        {
            data[name.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal)] = value;
        }
        Configuration = new ConfigurationBuilder().AddInMemoryCollection(data).Build();
    }

    /// <summary>Every setting by its exact name: what the worker process gets as its environment.</summary>
    public IReadOnlyDictionary<string, string> Variables { get; }

    /// <summary>Values of local.settings.json that the environment overrode (names only).</summary>
    public IReadOnlyList<string> SkippedValues { get; }

    /// <summary>The settings as configuration keys (case-insensitive, "__" or ":" as separator).</summary>
    public IConfiguration Configuration { get; }

    /// <summary>A setting's value, or null when it is missing or empty.</summary>
    public string? this[string name]
    {
        get
        {
            var value = Configuration[name];
            return string.IsNullOrEmpty(value) ? null : value;
        }
    }

    public static AppSettings Create(IReadOnlyDictionary<string, string> environment, IReadOnlyDictionary<string, string> localValues)
    {
        var variables = new Dictionary<string, string>(environment, StringComparer.Ordinal);
        var skipped = new List<string>();
        foreach (var (name, value) in localValues)
        {
            if (name.Length == 0) continue;
            if (environment.TryGetValue(name, out var existing) && !string.IsNullOrEmpty(existing))
            {
                skipped.Add(name);
                continue;
            }
            variables[name] = value;
        }
        return new AppSettings(variables, skipped);
    }
}
