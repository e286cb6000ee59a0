using System.Collections.Concurrent;
using System.Diagnostics;

namespace LocalFunctionsHost.Worker;

/// <summary>
/// Starts every worker process from one dedicated, long-lived thread. The workers are started through
/// <c>setpriv --pdeathsig KILL</c>, and Linux sends that signal when the thread that forked the child ends, not when
/// the process does: forking from a thread-pool thread would kill a worker whenever the pool retired the thread.
/// This thread lives as long as the host, so the worker dies exactly when the host does (including SIGKILL).
/// </summary>
internal sealed class ProcessLauncher
{
    private readonly BlockingCollection<(Process Process, TaskCompletionSource Started)> _queue = new();

    public ProcessLauncher()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "worker-launcher" };
        thread.Start();
    }

    /// <summary>Starts <paramref name="process"/> (already configured) on the launcher thread.</summary>
    public Task StartAsync(Process process)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Add((process, started));
        return started.Task;
    }

    private void Run()
    {
        foreach (var (process, started) in _queue.GetConsumingEnumerable())
        {
            try
            {
                process.Start();
                started.SetResult();
            }
            catch (Exception ex)
            {
                started.SetException(ex);
            }
        }
    }
}
