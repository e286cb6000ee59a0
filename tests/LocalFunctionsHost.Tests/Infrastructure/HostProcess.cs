using System.Globalization;
using System.Text.RegularExpressions;
using Push.Testing;

namespace LocalFunctionsHost.Tests.Infrastructure;

/// <summary>The host running an app folder as a child process, as a developer runs it.</summary>
internal sealed partial class HostProcess : IAsyncDisposable
{
    public const string ReadyLine = "Host started:";

    private readonly ChildProcess _process;

    private HostProcess(ChildProcess process) => _process = process;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output => _process.Output;

    public static HostProcess Start(AppFolder app, IReadOnlyDictionary<string, string?>? environment = null) =>
        new(ChildProcess.Start("dotnet", [BuildOutputs.HostDll, "--script-root", app.Path], app.Path, environment));

    /// <summary>Starts the host and waits for its ready line.</summary>
    public static async Task<HostProcess> StartReadyAsync(AppFolder app, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var host = Start(app, environment);
        await host.WaitForOutputAsync(ReadyLine);
        return host;
    }

    public Task WaitForOutputAsync(string text, TimeSpan? timeout = null) => _process.WaitForOutputAsync(text, timeout ?? TimeSpan.FromSeconds(90));

    public Task<int> WaitForExitAsync(TimeSpan? timeout = null) => _process.WaitForExitAsync(timeout ?? TimeSpan.FromSeconds(60));

    /// <summary>The process ids of the workers this host started, in order.</summary>
    public IReadOnlyList<int> WorkerIds => WorkerStarted().Matches(Output).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();

    /// <summary>SIGKILL to the host alone (not its process tree): what the kernel must clean up is the test.</summary>
    public async Task KillHostOnlyAsync()
    {
        using var kill = System.Diagnostics.Process.Start("kill", ["-KILL", Id.ToString(CultureInfo.InvariantCulture)]);
        await kill!.WaitForExitAsync();
        await _process.WaitForExitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>SIGTERM, as systemd or Ctrl-C in a terminal would stop it; returns the exit code.</summary>
    public async Task<int> TerminateAsync()
    {
        using var kill = System.Diagnostics.Process.Start("kill", ["-TERM", Id.ToString(CultureInfo.InvariantCulture)]);
        await kill!.WaitForExitAsync();
        return await _process.WaitForExitAsync(TimeSpan.FromSeconds(90));
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    [GeneratedRegex(@"Worker process (\d+) started")]
    private static partial Regex WorkerStarted();
}
