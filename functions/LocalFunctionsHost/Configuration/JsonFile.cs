using System.Text.Json;

namespace LocalFunctionsHost.Configuration;

/// <summary>Reads one of the app folder's JSON files (comments and trailing commas allowed, as the Functions host allows them).</summary>
internal static class JsonFile
{
    /// <summary>The parsed file, or null with an error naming <paramref name="fileName"/> and the line when it is not JSON.</summary>
    public static JsonDocument? Parse(string path, string fileName, ICollection<string> errors)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions
            {
                CommentHandling = JsonCommentHandling.Skip,
                AllowTrailingCommas = true,
            });
        }
        catch (JsonException ex)
        {
            errors.Add($"{fileName} is not valid JSON (line {ex.LineNumber + 1})");
            return null;
        }
    }
}
