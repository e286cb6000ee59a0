using Push.Testing;

namespace Push.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The relay as it runs locally: the local Functions host, started as a child process on the Function App's build
/// output, and the real isolated worker it starts in turn. Everything both print (the host's logs and the worker's,
/// forwarded by the host) is in <see cref="Output"/>.
/// </summary>
public sealed class RelayProcess : IAsyncDisposable
{
    /// <summary>What the host prints once every function is loaded and listening.</summary>
    public const string ReadyLine = "Host started:";

    private readonly ChildProcess _process;

    private RelayProcess(ChildProcess process) => _process = process;

    /// <summary>Everything the host and its worker printed, for the privacy canary and diagnostics.</summary>
    public string Output => _process.Output;

    public bool HasExited => _process.HasExited;

    /// <summary>The host process (the worker is its child).</summary>
    public int ProcessId => _process.Id;

    /// <summary>Starts the host; the settings are its environment, which it hands on to the worker.</summary>
    public static ChildProcess Launch(IReadOnlyDictionary<string, string?> environment) =>
        ChildProcess.Start("dotnet", [BuiltProgram.LocalFunctionsHost, "--script-root", BuiltProgram.FunctionApp], RepositoryPaths.Root, environment);

    public static async Task<RelayProcess> StartAsync(IReadOnlyDictionary<string, string?> environment)
    {
        var relay = new RelayProcess(Launch(environment));
        try
        {
            await relay._process.WaitForOutputAsync(ReadyLine, TimeSpan.FromSeconds(90));
        }
        catch
        {
            await relay.DisposeAsync();
            throw;
        }
        return relay;
    }

    /// <summary>
    /// The isolated worker's process id: the host's child that runs the Function App (read from /proc, as the host started
    /// it). Changes when the host restarts a worker.
    /// </summary>
    public int WorkerProcessId()
    {
        var children = Directory.GetDirectories($"/proc/{ProcessId}/task")
            .SelectMany(task => ReadOrEmpty(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(int.Parse)
            .Where(pid => ReadOrEmpty($"/proc/{pid}/cmdline").Contains("Push.Functions.dll", StringComparison.Ordinal))
            .Distinct()
            .ToList();
        return children.Count == 1 ? children[0] : throw new InvalidOperationException($"host {ProcessId} runs {children.Count} workers");

        static string ReadOrEmpty(string path)
        {
            try
            {
                return File.ReadAllText(path);
            }
            catch (IOException)
            {
                return ""; // the task or process ended meanwhile
            }
        }
    }

    /// <summary>SIGKILL of the worker only: the host stays up and starts a new one.</summary>
    public void KillWorker()
    {
        using var kill = System.Diagnostics.Process.Start("kill", ["-KILL", WorkerProcessId().ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill!.WaitForExit();
        if (kill.ExitCode != 0) throw new InvalidOperationException("kill -KILL of the worker failed");
    }

    /// <summary>SIGKILL of the host: no graceful shutdown, in-flight messages stay leased, the worker dies with it.</summary>
    public void Kill() => _process.Kill();

    /// <summary>SIGTERM and wait: the host drains within its grace period and stops its worker.</summary>
    public Task StopAsync() => _process.StopAsync(TimeSpan.FromSeconds(20));

    public async ValueTask DisposeAsync() => await _process.DisposeAsync();
}
