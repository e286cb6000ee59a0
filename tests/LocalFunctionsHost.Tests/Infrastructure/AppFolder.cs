using System.Text.Json;

namespace LocalFunctionsHost.Tests.Infrastructure;

/// <summary>
/// A test's own copy of the sample app: a temporary folder of links to its build output, with the test's own
/// host.json and local.settings.json (the host reads both from the app folder, as Core Tools does).
/// </summary>
internal sealed class AppFolder : IDisposable
{
    private AppFolder(string path) => Path = path;

    public string Path { get; }

    public static AppFolder Create(object hostJson, IReadOnlyDictionary<string, string>? values)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "lfh-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(path);
        foreach (var entry in new DirectoryInfo(BuildOutputs.SampleApp).EnumerateFileSystemInfos())
        {
            if (entry.Name is "host.json" or "local.settings.json") continue;
            File.CreateSymbolicLink(System.IO.Path.Combine(path, entry.Name), entry.FullName);
        }
        var folder = new AppFolder(path);
        folder.WriteHostJson(hostJson);
        if (values is not null) folder.WriteLocalSettings(values);
        return folder;
    }

    /// <summary>A folder that is an app only in name: its worker.config.json starts <paramref name="script"/> with sh.</summary>
    public static AppFolder CreateFake(string script)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "lfh-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(path);
        File.WriteAllText(System.IO.Path.Combine(path, "worker.sh"), script);
        File.WriteAllText(System.IO.Path.Combine(path, "worker.config.json"), """
            { "description": { "language": "dotnet-isolated", "defaultExecutablePath": "/bin/sh", "defaultWorkerPath": "worker.sh", "workerIndexing": "true" } }
            """);
        var folder = new AppFolder(path);
        folder.WriteHostJson(new { version = "2.0" });
        return folder;
    }

    public void WriteHostJson(object hostJson) =>
        File.WriteAllText(System.IO.Path.Combine(Path, "host.json"), JsonSerializer.Serialize(hostJson));

    public void WriteLocalSettings(IReadOnlyDictionary<string, string> values) =>
        File.WriteAllText(System.IO.Path.Combine(Path, "local.settings.json"), JsonSerializer.Serialize(new { IsEncrypted = false, Values = values }));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
