using System.Diagnostics;
using System.Globalization;
using LocalFunctionsHost.Configuration;
using Microsoft.Extensions.Logging;

namespace LocalFunctionsHost.Worker;

/// <summary>
/// One worker process, started as the Functions host starts a 2.x isolated worker: <c>defaultExecutablePath</c>
/// running <c>defaultWorkerPath</c> with the four <c>--functions-*</c> switches, in the app folder, with the app
/// settings as its environment. Its console output is logged line by line.
/// </summary>
internal sealed partial class WorkerProcess
{
    /// <summary>The largest gRPC message either side accepts, as the Functions host passes it.</summary>
    public const int MaxMessageLength = int.MaxValue;

    private const string PdeathsigLauncher = "/usr/bin/setpriv";

    private readonly Process _process;
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILogger _logger;

    private WorkerProcess(Process process, ILogger logger)
    {
        _process = process;
        _logger = logger;
    }

    public int Id { get; private set; }

    /// <summary>Completes with the exit code once the process has exited and its output is read.</summary>
    public Task<int> Exited => _exited.Task;

    public static async Task<WorkerProcess> StartAsync(ProcessLauncher launcher, HostSettings settings, string workerId, Uri hostUri,
        ILoggerFactory loggerFactory)
    {
        var worker = settings.Worker;
        var info = new ProcessStartInfo
        {
            WorkingDirectory = settings.ScriptRoot,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
        };
        var arguments = new List<string>();
        if (File.Exists(PdeathsigLauncher))
        {
            // The kernel kills the worker when its parent thread (the launcher's) ends: a host killed by SIGKILL
            // leaves no worker behind.
            info.FileName = PdeathsigLauncher;
            arguments.AddRange(["--pdeathsig", "KILL", "--", worker.ExecutablePath]);
        }
        else
        {
            info.FileName = worker.ExecutablePath;
        }
        if (worker.WorkerPath is not null) arguments.Add(worker.WorkerPath);
        arguments.AddRange([
            "--functions-uri", hostUri.ToString(),
            "--functions-worker-id", workerId,
            "--functions-request-id", Guid.NewGuid().ToString(),
            "--functions-grpc-max-message-length", MaxMessageLength.ToString(CultureInfo.InvariantCulture),
        ]);
        foreach (var argument in arguments) info.ArgumentList.Add(argument);

        info.Environment.Clear();
        foreach (var (name, value) in settings.AppSettings.Variables) info.Environment[name] = value;
        // Without it the worker cannot find the function assemblies and every load fails.
        info.Environment["FUNCTIONS_APPLICATION_DIRECTORY"] = settings.ScriptRoot;
        info.Environment["FUNCTIONS_WORKER_RUNTIME"] = settings.AppSettings["FUNCTIONS_WORKER_RUNTIME"] ?? worker.Language;
        // Core Tools runs every app as Development locally unless the environment says otherwise.
        if (settings.AppSettings["AZURE_FUNCTIONS_ENVIRONMENT"] is null) info.Environment["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development";

        var logger = loggerFactory.CreateLogger("LocalFunctionsHost.WorkerConsole");
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var result = new WorkerProcess(process, logger);
        process.OutputDataReceived += (_, e) => result.Forward(e.Data, LogLevel.Information);
        process.ErrorDataReceived += (_, e) => result.Forward(e.Data, LogLevel.Warning);
        if (!File.Exists(PdeathsigLauncher)) LogNoPdeathsig(logger, PdeathsigLauncher);
        await launcher.StartAsync(process);
        result.Id = process.Id;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _ = result.WatchAsync();
        return result;
    }

    /// <summary>SIGKILL to the worker and anything it started.</summary>
    public void Kill()
    {
        try
        {
            if (!_exited.Task.IsCompleted) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    private async Task WatchAsync()
    {
        // Disposed only here, after the exit (and the end of its output) was seen: disposing earlier would lose the
        // exit code and the exit notification.
        await _process.WaitForExitAsync();
        var code = _process.ExitCode;
        _process.Dispose();
        _exited.TrySetResult(code);
    }

    private void Forward(string? line, LogLevel level)
    {
        if (!string.IsNullOrEmpty(line)) WorkerConsole(_logger, level, Id, line);
    }
}
