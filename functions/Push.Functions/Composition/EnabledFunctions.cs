using Microsoft.Extensions.Configuration;

namespace Push.Functions.Composition;

/// <summary>
/// <c>Functions:Enabled</c> (env <c>Functions__Enabled</c>): a comma-separated list of the functions this
/// instance runs; absent or empty runs them all. It lets one image serve a warm calls app and a
/// messages app that scales to zero (infra/main.bicep).
/// </summary>
public sealed class EnabledFunctions
{
    public const string SettingName = "Functions:Enabled";

    private readonly HashSet<string>? _enabled;

    private EnabledFunctions(HashSet<string>? enabled) => _enabled = enabled;

    public static EnabledFunctions Read(IConfiguration configuration, IReadOnlyCollection<string> known)
    {
        var value = configuration[SettingName];
        if (string.IsNullOrWhiteSpace(value))
        {
            return new EnabledFunctions(null);
        }
        var names = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var unknown = names.Where(n => !known.Contains(n, StringComparer.OrdinalIgnoreCase)).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidOperationException(
                $"{SettingName} names unknown function(s) {string.Join(", ", unknown)}; the functions are {string.Join(", ", known)}.");
        }
        return new EnabledFunctions(names);
    }

    public bool IsEnabled(string functionName) => _enabled is null || _enabled.Contains(functionName);
}
