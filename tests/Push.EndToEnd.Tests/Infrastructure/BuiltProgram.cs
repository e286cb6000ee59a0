using Push.Testing;

namespace Push.EndToEnd.Tests.Infrastructure;

/// <summary>The relay's programs as the solution build left them (same configuration as these tests).</summary>
public static class BuiltProgram
{
    public static string Configuration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    /// <summary>The Function App's build output: the folder Azure deploys and the local host runs.</summary>
    public static string FunctionApp => Folder("Push.Functions", "Push.Functions.dll");

    /// <summary>The local stand-in for the Functions host.</summary>
    public static string LocalFunctionsHost => Locate("LocalFunctionsHost", "LocalFunctionsHost.dll");

    public static string Cli => Locate("Push.Cli", "push.dll");

    private static string Folder(string project, string assembly) => Path.GetDirectoryName(Locate(project, assembly))!;

    private static string Locate(string project, string assembly)
    {
        var path = RepositoryPaths.Combine("functions", project, "bin", Configuration, "net10.0", assembly);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing: build the solution first (scripts/test does).");
    }
}
