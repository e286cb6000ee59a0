using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Push.Hosting.Configuration;

/// <summary>Flattens host.json into <c>AzureFunctionsJobHost:…</c> keys.</summary>
internal sealed class HostJsonConfigurationProvider(string path, bool optional) : ConfigurationProvider
{
    private const string SupportedVersion = "2.0";

    public override void Load()
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (!File.Exists(path))
        {
            if (!optional) throw new FileNotFoundException($"host.json not found at {path}", path);
            Data = data;
            return;
        }

        using var stream = File.OpenRead(path);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(stream, new JsonDocumentOptions
            {
                CommentHandling = JsonCommentHandling.Skip,
                AllowTrailingCommas = true,
            });
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path} is not valid JSON (line {ex.LineNumber + 1})", ex);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{path} must hold a JSON object");
            }
            // The Functions host refuses a host.json without version 2.0; so do we, rather than guess at a 1.x layout.
            var version = document.RootElement.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.String
                ? v.GetString()
                : null;
            if (version != SupportedVersion)
            {
                throw new InvalidDataException(
                    $"{FunctionsHostJsonExtensions.SectionName}:version in {path} must be \"{SupportedVersion}\" (was {(version is null ? "missing" : "\"" + version + "\"")})");
            }
            Flatten(document.RootElement, FunctionsHostJsonExtensions.SectionName, data);
        }
        Data = data;
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
