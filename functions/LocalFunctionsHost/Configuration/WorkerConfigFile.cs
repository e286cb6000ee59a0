using System.Text.Json;

namespace LocalFunctionsHost.Configuration;

/// <summary>
/// The app folder's <c>worker.config.json</c>, written by the worker Sdk, read as the Functions host reads it: how to
/// start the worker (<c>defaultExecutablePath</c> running <c>defaultWorkerPath</c>) and its language.
/// </summary>
internal sealed record WorkerConfigFile(string Language, string ExecutablePath, string? WorkerPath, bool WorkerIndexing)
{
    public const string FileName = "worker.config.json";

    public static WorkerConfigFile? Load(string appFolder, ICollection<string> errors)
    {
        var path = Path.Combine(appFolder, FileName);
        if (!File.Exists(path))
        {
            errors.Add($"{FileName} is missing from the app folder ({appFolder}): --script-root must name an isolated-worker app's build output");
            return null;
        }
        using var document = JsonFile.Parse(path, FileName, errors);
        if (document is null) return null;
        if (!document.RootElement.TryGetProperty("description", out var description) || description.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{FileName}: description is missing");
            return null;
        }
        var language = String(description, "language");
        var executable = String(description, "defaultExecutablePath");
        var worker = String(description, "defaultWorkerPath");
        if (string.IsNullOrWhiteSpace(language)) errors.Add($"{FileName}: description.language is missing");
        if (string.IsNullOrWhiteSpace(executable)) errors.Add($"{FileName}: description.defaultExecutablePath is missing");
        var indexing = description.TryGetProperty("workerIndexing", out var w)
            && (w.ValueKind == JsonValueKind.True || (w.ValueKind == JsonValueKind.String && bool.TryParse(w.GetString(), out var b) && b));
        if (!indexing)
        {
            // Without worker indexing the host would have to read function.json files itself; this host does not.
            errors.Add($"{FileName}: description.workerIndexing must be true (this host gets the functions from the worker)");
        }
        if (string.IsNullOrWhiteSpace(language) || string.IsNullOrWhiteSpace(executable)) return null;
        return new WorkerConfigFile(language, Resolve(appFolder, executable), worker is null ? null : Resolve(appFolder, worker), indexing);
    }

    /// <summary>
    /// "{WorkerRoot}" is the app folder, as the host expands it; a bare name such as "dotnet" is looked up on PATH
    /// when started; any other relative path is relative to the app folder.
    /// </summary>
    private static string Resolve(string appFolder, string value)
    {
        var expanded = value.Replace("{WorkerRoot}", appFolder.TrimEnd('/') + "/", StringComparison.OrdinalIgnoreCase);
        if (Path.IsPathRooted(expanded) || !expanded.Contains('/', StringComparison.Ordinal) && !expanded.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            return expanded;
        }
        return Path.GetFullPath(Path.Combine(appFolder, expanded));
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
