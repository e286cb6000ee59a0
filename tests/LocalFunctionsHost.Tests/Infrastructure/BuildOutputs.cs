using Push.Testing;

namespace LocalFunctionsHost.Tests.Infrastructure;

/// <summary>Where the host and the sample app were built (the same configuration as these tests).</summary>
internal static class BuildOutputs
{
    private static string Configuration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";

    public static string HostDll => RepositoryPaths.Combine("functions", "LocalFunctionsHost", "bin", Configuration, "net10.0", "LocalFunctionsHost.dll");

    public static string SampleApp => RepositoryPaths.Combine("tests", "LocalFunctionsHost.SampleApp", "bin", Configuration, "net10.0");
}
