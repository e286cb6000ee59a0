namespace Push.Testing;

/// <summary>Finds files of this repository from a test's output folder.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> RootLazy = new(FindRoot);

    /// <summary>The folder holding Push.Functions.sln.</summary>
    public static string Root => RootLazy.Value;

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>An npm binary installed by the test command (npm ci at the repository root).</summary>
    public static string NodeBin(string name)
    {
        var path = Combine("node_modules", ".bin", name);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(
                $"{path} is missing: run the tests through scripts/test (it runs 'npm ci' first).");
        }
        return path;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Push.Functions.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Push.Functions.sln not found above " + AppContext.BaseDirectory);
    }
}
