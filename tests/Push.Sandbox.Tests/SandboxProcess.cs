using Push.Testing;

namespace Push.Sandbox.Tests;

/// <summary>Runs the sandbox executable (copied beside the tests) as a child process.</summary>
internal static class SandboxProcess
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "Push.Sandbox.dll");

    public static ChildProcess Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null) =>
        ChildProcess.Start("dotnet", [Dll, .. arguments], AppContext.BaseDirectory, environment);
}
