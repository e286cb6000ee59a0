using System.Diagnostics;
using System.Text;

namespace Push.Testing;

/// <summary>
/// A process a test started: its output is kept (bounded) for diagnostics, and it is ended when
/// disposed (SIGTERM first, SIGKILL after a grace period: Azurite sometimes ignores SIGTERM).
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private const int MaxKeptChars = 200_000;
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _outputClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _errorClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess(Process process)
    {
        _process = process;
    }

    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get { lock (_output) { return _output.ToString(); } }
    }

    public event Action<string>? LineReceived;

    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? RepositoryPaths.Root,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                if (value is null) info.Environment.Remove(key);
                else info.Environment[key] = value;
            }
        }
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(process);
        // A null line is the stream's end: the signal that everything the process printed has been read.
        process.OutputDataReceived += (_, e) => child.Append(e.Data, child._outputClosed);
        process.ErrorDataReceived += (_, e) => child.Append(e.Data, child._errorClosed);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    private void Append(string? line, TaskCompletionSource closed)
    {
        if (line is null)
        {
            closed.TrySetResult();
            return;
        }
        lock (_output)
        {
            if (_output.Length < MaxKeptChars) _output.AppendLine(line);
        }
        LineReceived?.Invoke(line);
    }

    /// <summary>Waits until a line containing <paramref name="text"/> has been printed.</summary>
    public Task WaitForOutputAsync(string text, TimeSpan timeout) =>
        Eventually.TrueAsync(() =>
        {
            if (Output.Contains(text, StringComparison.Ordinal)) return true;
            if (HasExited) throw new InvalidOperationException($"process exited ({ExitCode}) before printing '{text}':\n{Output}");
            return false;
        }, $"'{text}' to be printed (output so far:\n{Output})", timeout);

    /// <summary>Waits until the process has exited and all it printed has been read into <see cref="Output"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        await Task.WhenAll(_outputClosed.Task, _errorClosed.Task).WaitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: the process gets no chance to clean up (crash tests).</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
    }

    /// <summary>SIGTERM, then SIGKILL if it has not exited within <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited) return;
        try
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            kill?.WaitForExit();
            await WaitForExitAsync(grace);
        }
        catch (OperationCanceledException)
        {
            Kill();
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(5));
        _process.Dispose();
    }
}
