using System.Text.Json;
using Push.Testing;

namespace Push.Functions.Tests;

/// <summary>The Function App exactly as the build left it: the folder Azure deploys and the local host runs.</summary>
public static class BuiltFunctionApp
{
    private static string Configuration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    public static string Folder => RepositoryPaths.Combine("functions", "Push.Functions", "bin", Configuration, "net10.0");

    public static JsonDocument ReadJson(string file)
    {
        var path = Path.Combine(Folder, file);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} is missing: build the solution first (scripts/test does).", path);
        return JsonDocument.Parse(File.ReadAllText(path));
    }
}
