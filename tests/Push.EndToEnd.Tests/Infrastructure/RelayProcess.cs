using Push.Testing;

namespace Push.EndToEnd.Tests.Infrastructure;

/// <summary>The function host (Push.Functions.dll) as a child process, as an operator runs it.</summary>
public sealed class RelayProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;

    private RelayProcess(ChildProcess process) => _process = process;

    /// <summary>Everything the host printed (JSON log lines), for the privacy canary and diagnostics.</summary>
    public string Output => _process.Output;

    public bool HasExited => _process.HasExited;

    public static async Task<RelayProcess> StartAsync(IReadOnlyDictionary<string, string?> environment)
    {
        var process = ChildProcess.Start("dotnet", [BuiltProgram.FunctionHost], RepositoryPaths.Root, environment);
        var relay = new RelayProcess(process);
        try
        {
            await process.WaitForOutputAsync("Application started", TimeSpan.FromSeconds(60));
        }
        catch
        {
            await relay.DisposeAsync();
            throw;
        }
        return relay;
    }

    /// <summary>SIGKILL: no graceful shutdown, in-flight messages stay leased.</summary>
    public void Kill() => _process.Kill();

    /// <summary>SIGTERM and wait: the host drains within its grace period.</summary>
    public Task StopAsync() => _process.StopAsync(TimeSpan.FromSeconds(20));

    public async ValueTask DisposeAsync() => await _process.DisposeAsync();
}
