using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Push.Testing;

namespace Push.Bench;

/// <summary>
/// The relay as it runs locally: <c>LocalFunctionsHost.dll --script-root &lt;Function App build output&gt;</c>, the worker
/// its child, configured only through environment settings (as tests/Push.EndToEnd.Tests runs it). Optionally pinned to
/// one core with <c>taskset -c</c> (the worker inherits the affinity). Started through <c>setpriv --pdeathsig KILL</c>
/// from one long-lived thread, so a host never outlives the harness, even one killed by SIGKILL.
/// </summary>
internal sealed class FunctionHost : IAsyncDisposable
{
    /// <summary>What LocalFunctionsHost prints once every function is loaded and listening.</summary>
    public const string ReadyLine = "Host started:";

    private static readonly BlockingCollection<Action> LaunchQueue = StartLauncher();

    private readonly ChildProcess _process;

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _retries = new();
    private int _retryCount;

    private FunctionHost(ChildProcess process, long startedAt)
    {
        _process = process;
        StartedAt = startedAt;
        // The output kept is bounded (its start); the relay's own retry decisions are kept apart, to say why a drain stalled.
        process.LineReceived += line =>
        {
            if (!line.Contains("will retry", StringComparison.Ordinal) && !line.Contains("comes back in", StringComparison.Ordinal)
                && !line.Contains("' (failed", StringComparison.Ordinal) && !line.Contains("poison", StringComparison.OrdinalIgnoreCase)) return;
            if (Interlocked.Increment(ref _retryCount) <= 5) _retries.Enqueue(line.Length > 300 ? line[..300] + "…" : line);
        };
    }

    /// <summary>
    /// How many retry decisions, failed invocations and poisonings host and worker logged (a provider or token endpoint
    /// failed and a copy comes back later; a function threw), with the first few.
    /// </summary>
    public string Retries() => _retryCount == 0 ? "no retries or failed invocations logged" : $"{_retryCount} retry / failure lines logged, first: {string.Join(" | ", _retries)}";

    /// <summary>Stopwatch timestamp just before the process was started: cold start counts from here.</summary>
    public long StartedAt { get; }

    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public string Output => _process.Output;

    public static string HostDll(string repo) => Path.Combine(repo, "functions", "LocalFunctionsHost", "bin", "Release", "net10.0", "LocalFunctionsHost.dll");

    /// <summary>Starts the host on <paramref name="scriptRoot"/>; does not wait for it (see <see cref="WaitReadyAsync"/>).</summary>
    public static async Task<FunctionHost> StartAsync(string repo, string scriptRoot, IReadOnlyDictionary<string, string?> settings, int? core = null)
    {
        List<string> args = ["--pdeathsig", "KILL", "--"];
        if (core is { } c) args.AddRange(["taskset", "-c", c.ToString(CultureInfo.InvariantCulture)]);
        args.AddRange(["dotnet", HostDll(repo), "--script-root", scriptRoot]);
        var started = new TaskCompletionSource<FunctionHost>(TaskCreationOptions.RunContinuationsAsynchronously);
        LaunchQueue.Add(() =>
        {
            try
            {
                var at = Stopwatch.GetTimestamp();
                started.SetResult(new FunctionHost(ChildProcess.Start("setpriv", args, repo, settings), at));
            }
            catch (Exception ex)
            {
                started.SetException(ex);
            }
        });
        return await started.Task.ConfigureAwait(false);
    }

    /// <summary>A child of the harness started through the same launcher thread (setpriv --pdeathsig KILL).</summary>
    public static Task<ChildProcess> StartChildAsync(string fileName, IEnumerable<string> arguments, string repo)
    {
        var started = new TaskCompletionSource<ChildProcess>(TaskCreationOptions.RunContinuationsAsynchronously);
        List<string> args = ["--pdeathsig", "KILL", "--", fileName, .. arguments];
        LaunchQueue.Add(() =>
        {
            try { started.SetResult(ChildProcess.Start("setpriv", args, repo)); }
            catch (Exception ex) { started.SetException(ex); }
        });
        return started.Task;
    }

    public Task WaitReadyAsync() => _process.WaitForOutputAsync(ReadyLine, TimeSpan.FromSeconds(120));

    /// <summary>The host and every process under it (its worker): setpriv and taskset exec, so the host is this pid.</summary>
    public List<int> Tree()
    {
        var pids = new List<int> { Id };
        for (var i = 0; i < pids.Count; i++)
        {
            foreach (var task in SafeDirectories($"/proc/{pids[i]}/task"))
            {
                foreach (var child in SafeRead(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    var pid = int.Parse(child, CultureInfo.InvariantCulture);
                    if (!pids.Contains(pid)) pids.Add(pid);
                }
            }
        }
        return pids;
    }

    /// <summary>User + system CPU of the host and its worker, ms.</summary>
    public double CpuMs() => Tree().Sum(ProcessCpuMs);

    /// <summary>VmHWM (peak resident set) of the host and of its worker, MB each.</summary>
    public (double HostMb, double WorkerMb) PeakRssMb()
    {
        var tree = Tree();
        return (VmHwmMb(tree[0]), tree.Skip(1).Select(VmHwmMb).DefaultIfEmpty(0).Sum());
    }

    public Task StopAsync() => _process.StopAsync(TimeSpan.FromSeconds(15));

    public async ValueTask DisposeAsync() => await _process.DisposeAsync().ConfigureAwait(false);

    public string Tail()
    {
        var lines = Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return "host's last lines: " + string.Join(" | ", lines.TakeLast(3).Select(l => l.Length > 300 ? l[..300] + "…" : l));
    }

    internal static double ProcessCpuMs(int pid)
    {
        // /proc/<pid>/stat: fields 14 and 15 (utime, stime) in clock ticks (USER_HZ = 100 on Linux).
        var stat = SafeRead($"/proc/{pid}/stat");
        if (stat.Length == 0) return 0;
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 10.0;
    }

    private static double VmHwmMb(int pid)
    {
        var line = SafeRead($"/proc/{pid}/status").Split('\n').FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
    }

    private static string SafeRead(string path)
    {
        try { return File.ReadAllText(path); }
        catch (IOException) { return ""; } // the process or task ended meanwhile
        catch (UnauthorizedAccessException) { return ""; }
    }

    private static string[] SafeDirectories(string path)
    {
        try { return Directory.GetDirectories(path); }
        catch (IOException) { return []; }
    }

    // Linux sends pdeathsig when the forking *thread* ends: fork every child from this one thread, never a pool thread.
    private static BlockingCollection<Action> StartLauncher()
    {
        var queue = new BlockingCollection<Action>();
        var thread = new Thread(() => { foreach (var launch in queue.GetConsumingEnumerable()) launch(); }) { IsBackground = true, Name = "bench-launcher" };
        thread.Start();
        return queue;
    }
}
