using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace LocalFunctionsHost.Configuration;

/// <summary>
/// Parses settings one key at a time and collects every error, each naming the full key (never its value, which may
/// be a secret), so that a host with several bad settings reports them all at once.
/// </summary>
internal sealed class SettingReader
{
    private readonly List<string> _errors = [];

    public IReadOnlyList<string> Errors => _errors;

    public void AddError(string error) => _errors.Add(error);

    public int ReadInt(IConfigurationSection section, string key, int defaultValue, int min, int max)
    {
        var (raw, path) = Raw(section, key);
        if (raw is null) return defaultValue;
        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            _errors.Add($"{path} must be a whole number from {min} to {max}");
            return defaultValue;
        }
        return value;
    }

    public TimeSpan ReadTimeSpan(IConfigurationSection section, string key, TimeSpan defaultValue, TimeSpan min, TimeSpan max)
    {
        var (raw, path) = Raw(section, key);
        if (raw is null) return defaultValue;
        if (!TimeSpan.TryParse(raw, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            _errors.Add($"{path} must be a time span (hh:mm:ss) from {min:c} to {max:c}");
            return defaultValue;
        }
        return value;
    }

    /// <summary>A time span where "-1" means "no limit" (the Functions convention for functionTimeout).</summary>
    public TimeSpan? ReadOptionalLimit(IConfigurationSection section, string key, TimeSpan? defaultValue, TimeSpan min, TimeSpan max)
    {
        var (raw, _) = Raw(section, key);
        if (raw is null) return defaultValue;
        if (raw == "-1") return null;
        return ReadTimeSpan(section, key, defaultValue ?? max, min, max);
    }

    public bool ReadBool(IConfigurationSection section, string key, bool defaultValue)
    {
        var (raw, path) = Raw(section, key);
        if (raw is null) return defaultValue;
        if (bool.TryParse(raw, out var value)) return value;
        _errors.Add($"{path} must be true or false");
        return defaultValue;
    }

    public TEnum ReadEnum<TEnum>(IConfigurationSection section, string key, TEnum defaultValue, params (string Name, TEnum Value)[] names)
        where TEnum : struct, Enum
    {
        var (raw, path) = Raw(section, key);
        if (raw is null) return defaultValue;
        foreach (var (name, value) in names)
        {
            if (string.Equals(name, raw, StringComparison.OrdinalIgnoreCase)) return value;
        }
        _errors.Add($"{path} must be one of {string.Join(", ", names.Select(n => "'" + n.Name + "'"))}");
        return defaultValue;
    }

    private static (string? Raw, string Path) Raw(IConfigurationSection section, string key)
    {
        var child = section.GetSection(key);
        return (string.IsNullOrWhiteSpace(child.Value) ? null : child.Value.Trim(), child.Path);
    }
}
