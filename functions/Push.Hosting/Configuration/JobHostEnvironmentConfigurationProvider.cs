using System.Collections;
using Microsoft.Extensions.Configuration;

namespace Push.Hosting.Configuration;

/// <summary>
/// The <c>AzureFunctionsJobHost__…</c> environment variables, keeping their prefix (the stock environment provider
/// strips a prefix it filters on, which would put them outside the host.json section).
/// </summary>
internal sealed class JobHostEnvironmentConfigurationProvider(IReadOnlyDictionary<string, string?>? environment) : ConfigurationProvider
{
    private const string Prefix = FunctionsHostJsonExtensions.SectionName + "__";

    public override void Load()
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in Variables())
        {
            if (name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            {
                data[name.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal)] = value;
            }
        }
        Data = data;
    }

    private IEnumerable<KeyValuePair<string, string?>> Variables()
    {
        if (environment is not null) return environment;
        var variables = new List<KeyValuePair<string, string?>>();
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            variables.Add(new((string)entry.Key, entry.Value as string));
        }
        return variables;
    }
}
