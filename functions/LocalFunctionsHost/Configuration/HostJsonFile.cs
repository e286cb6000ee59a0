using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace LocalFunctionsHost.Configuration;

/// <summary>Reads the app's <c>host.json</c> into <c>AzureFunctionsJobHost:…</c> keys, as the Functions host does.</summary>
internal static class HostJsonFile
{
    /// <summary>The configuration section that holds host.json in Azure Functions.</summary>
    public const string SectionName = "AzureFunctionsJobHost";

    private const string SupportedVersion = "2.0";

    /// <summary>The flattened file, or null (with the reason in <paramref name="errors"/>) when it cannot be used.</summary>
    public static Dictionary<string, string?>? Load(string path, ICollection<string> errors)
    {
        if (!File.Exists(path))
        {
            errors.Add($"host.json is missing from the app folder ({path}); the Functions host requires it");
            return null;
        }
        var document = JsonFile.Parse(path, "host.json", errors);
        if (document is null) return null;
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                errors.Add("host.json must hold a JSON object");
                return null;
            }
            // The Functions host refuses a host.json without version 2.0 rather than guess at a 1.x layout; so do we.
            var version = document.RootElement.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            if (version != SupportedVersion)
            {
                errors.Add($"{SectionName}:version in host.json must be \"{SupportedVersion}\"");
                return null;
            }
            var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            Flatten(document.RootElement, SectionName, data);
            return data;
        }
    }

    private static void Flatten(JsonElement element, string prefix, Dictionary<string, string?> data)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Flatten(property.Value, prefix + ConfigurationPath.KeyDelimiter + property.Name, data);
                }
                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Flatten(item, prefix + ConfigurationPath.KeyDelimiter + index.ToString(CultureInfo.InvariantCulture), data);
                    index++;
                }
                break;
            case JsonValueKind.String:
                data[prefix] = element.GetString();
                break;
            case JsonValueKind.Null:
                data[prefix] = null;
                break;
            case JsonValueKind.True:
                data[prefix] = "true";
                break;
            case JsonValueKind.False:
                data[prefix] = "false";
                break;
            default:
                data[prefix] = element.GetRawText();
                break;
        }
    }
}
