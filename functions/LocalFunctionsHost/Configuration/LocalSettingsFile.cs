using System.Text.Json;

namespace LocalFunctionsHost.Configuration;

/// <summary>
/// The app folder's <c>local.settings.json</c> (the Core Tools convention): <c>IsEncrypted</c> must be false, and
/// <c>Values</c> are the app settings, given to the worker as environment variables. A missing file means no values.
/// </summary>
internal static class LocalSettingsFile
{
    public const string FileName = "local.settings.json";

    public static Dictionary<string, string> Load(string path, ICollection<string> errors)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(path)) return values;
        var document = JsonFile.Parse(path, FileName, errors);
        if (document is null) return values;
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                errors.Add($"{FileName} must hold a JSON object");
                return values;
            }
            if (root.TryGetProperty("IsEncrypted", out var encrypted) && encrypted.ValueKind == JsonValueKind.True)
            {
                // Core Tools decrypts with a machine key it wrote itself; there is no such key here.
                errors.Add($"{FileName}: IsEncrypted is true; this host reads only unencrypted settings (set it to false)");
                return values;
            }
            if (!root.TryGetProperty("Values", out var section)) return values;
            if (section.ValueKind != JsonValueKind.Object)
            {
                errors.Add($"{FileName}: Values must be a JSON object of setting names and values");
                return values;
            }
            foreach (var property in section.EnumerateObject())
            {
                switch (property.Value.ValueKind)
                {
                    case JsonValueKind.String:
                        values[property.Name] = property.Value.GetString()!;
                        break;
                    case JsonValueKind.Number:
                        values[property.Name] = property.Value.GetRawText();
                        break;
                    case JsonValueKind.True or JsonValueKind.False:
                        values[property.Name] = property.Value.ValueKind == JsonValueKind.True ? "true" : "false";
                        break;
                    case JsonValueKind.Null:
                        // Core Tools skips a null value too.
                        break;
                    default:
                        errors.Add($"{FileName}: Values:{property.Name} must be a string, a number or a boolean");
                        break;
                }
            }
        }
        return values;
    }
}
