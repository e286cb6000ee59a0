using Push.Testing;

namespace Push.EndToEnd.Tests.Infrastructure;

/// <summary>The relay's programs as the solution build left them (same configuration as these tests).</summary>
public static class BuiltProgram
{
    public static string Configuration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    public static string FunctionHost => Locate("Push.Functions", "Push.Functions.dll");

    public static string Cli => Locate("Push.Cli", "push.dll");

    private static string Locate(string project, string assembly)
    {
        var path = RepositoryPaths.Combine("functions", project, "bin", Configuration, "net10.0", assembly);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing: build the solution first (scripts/test does).");
    }
}
