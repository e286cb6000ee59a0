using System.Collections.Concurrent;
using System.Diagnostics;
using LocalFunctionsHost.Configuration;
using LocalFunctionsHost.Functions;
using LocalFunctionsHost.Rpc;
using LocalFunctionsHost.Telemetry;
using Microsoft.Extensions.Logging;

namespace LocalFunctionsHost.Worker;

/// <summary>
/// Owns the worker process and its channel: starts it (init → metadata → load), restarts it with back-off when it
/// dies (its in-flight invocations fail, so their messages come back as failed attempts), recycles it when a timed-out
/// invocation ignores its cancel, and stops it with WorkerTerminate, killing it after the grace period.
/// </summary>
internal sealed partial class WorkerSupervisor(
    HostSettings settings,
    ProcessLauncher launcher,
    WorkerChannelRegistry registry,
    WorkerLogSink logs,
    HostTelemetry telemetry,
    ILoggerFactory loggerFactory)
{
    /// <summary>The grace period told to the worker in WorkerTerminate; it is killed when it has not exited by then.</summary>
    public static readonly TimeSpan TerminateGracePeriod = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan MinRestartDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRestartDelay = TimeSpan.FromSeconds(30);

    /// <summary>A worker that ran this long before dying is restarted after the shortest delay again.</summary>
    private static readonly TimeSpan StableRun = TimeSpan.FromMinutes(1);

    private readonly ILogger _logger = loggerFactory.CreateLogger<WorkerSupervisor>();
    private readonly ConcurrentDictionary<string, string> _functionIds = new(StringComparer.OrdinalIgnoreCase);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource<WorkerChannel> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IReadOnlyList<FunctionDescriptor> _functions = [];
    private Uri? _hostUri;
    private Instance? _current;
    private FunctionMetadataResponse? _firstMetadata;
    private Task _monitor = Task.CompletedTask;

    /// <summary>The running worker's process id, if one runs.</summary>
    public int? ProcessId => _current?.Process.Id;

    /// <summary>Starts the first worker and returns its function metadata; throws <see cref="WorkerStartException"/> with the reason.</summary>
    public async Task<IReadOnlyList<RpcFunctionMetadata>> StartAsync(Uri hostUri, CancellationToken cancellationToken)
    {
        _hostUri = hostUri;
        var (instance, metadata) = await StartInstanceAsync(cancellationToken);
        _current = instance;
        _firstMetadata = metadata;
        return metadata.FunctionMetadataResults;
    }

    /// <summary>
    /// Loads <paramref name="functions"/> into the first worker, then marks it ready and begins watching it; returns
    /// the names of the functions the worker failed to load.
    /// </summary>
    public async Task<IReadOnlyList<string>> LoadAsync(IReadOnlyList<FunctionDescriptor> functions)
    {
        _functions = functions;
        var instance = _current ?? throw new InvalidOperationException("no worker was started");
        var failed = await LoadIntoAsync(instance, _firstMetadata!);
        SetReady(instance.Channel);
        _monitor = Task.Run(MonitorAsync);
        return failed;
    }

    /// <summary>The channel of a worker ready for invocations, waiting while one is (re)started.</summary>
    public Task<WorkerChannel> WaitForReadyAsync(CancellationToken cancellationToken)
    {
        Task<WorkerChannel> ready;
        lock (_gate) ready = _ready.Task;
        return ready.WaitAsync(cancellationToken);
    }

    /// <summary>The id the current worker gave <paramref name="functionName"/>.</summary>
    public string FunctionId(string functionName) =>
        _functionIds.TryGetValue(functionName, out var id) ? id : throw new InvalidOperationException($"function {functionName} is not loaded");

    /// <summary>Kills the current worker (the monitor restarts it), as the Functions host restarts after a timeout it could not cancel.</summary>
    public void Recycle(string reason)
    {
        if (_current is not { } instance) return;
        LogRecycling(instance.Process.Id, reason);
        instance.Process.Kill();
    }

    /// <summary>Kills the worker at once: the last resort when the host itself is going down.</summary>
    public void Kill() => _current?.Process.Kill();

    /// <summary>Sends WorkerTerminate, waits up to <see cref="TerminateGracePeriod"/> for the worker to exit, then kills it.</summary>
    public async Task StopAsync()
    {
        await _stopping.CancelAsync();
        await _monitor;
        SetNotReady();
        if (_current is not { } instance) return;
        LogTerminating(instance.Process.Id, TerminateGracePeriod);
        instance.Channel.Terminate(TerminateGracePeriod);
        var exited = await Task.WhenAny(instance.Process.Exited, Task.Delay(TerminateGracePeriod)) == instance.Process.Exited;
        if (!exited)
        {
            LogKilledAfterGrace(instance.Process.Id, TerminateGracePeriod);
            instance.Process.Kill();
        }
        var code = await instance.Process.Exited;
        instance.Channel.Close("the host stopped");
        registry.Remove(instance.Channel.WorkerId);
        LogWorkerStopped(instance.Process.Id, code);
    }

    private async Task MonitorAsync()
    {
        var delay = MinRestartDelay;
        while (!_stopping.IsCancellationRequested)
        {
            var instance = _current!;
            try
            {
                await Task.WhenAny(instance.Process.Exited, instance.Channel.Closed).WaitAsync(_stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            SetNotReady();
            instance.Channel.Close("the worker process exited");
            var inFlight = instance.Channel.LostInvocations;
            instance.Process.Kill();
            var code = await instance.Process.Exited;
            registry.Remove(instance.Channel.WorkerId);
            if (_stopping.IsCancellationRequested) return;
            delay = Stopwatch.GetElapsedTime(instance.StartedAt) >= StableRun ? MinRestartDelay : delay;
            LogWorkerDied(instance.Process.Id, code, inFlight, delay);
            telemetry.WorkerRestarted();
            while (true)
            {
                try
                {
                    await Task.Delay(delay, _stopping.Token);
                    var (next, metadata) = await StartInstanceAsync(_stopping.Token);
                    var failed = await LoadIntoAsync(next, metadata);
                    if (failed.Count > 0) LogLoadFailedAfterRestart(string.Join(", ", failed));
                    _current = next;
                    SetReady(next.Channel);
                    LogWorkerRestarted(next.Process.Id);
                    break;
                }
                catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
                {
                    return;
                }
                catch (WorkerStartException ex)
                {
                    delay = delay * 2 > MaxRestartDelay ? MaxRestartDelay : delay * 2;
                    LogRestartFailed(ex.Message, delay);
                }
            }
            delay = delay * 2 > MaxRestartDelay ? MaxRestartDelay : delay * 2;
        }
    }

    private async Task<(Instance Instance, FunctionMetadataResponse Metadata)> StartInstanceAsync(CancellationToken cancellationToken)
    {
        var timeout = settings.WorkerStartTimeout;
        var workerId = Guid.NewGuid().ToString();
        var channel = new WorkerChannel(workerId, logs, loggerFactory.CreateLogger<WorkerChannel>());
        registry.Add(channel);
        WorkerProcess process;
        try
        {
            process = await WorkerProcess.StartAsync(launcher, settings, workerId, _hostUri!, loggerFactory);
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            registry.Remove(workerId);
            throw new WorkerStartException($"the worker could not be started ({settings.Worker.ExecutablePath}): {ex.Message}", ex);
        }
        LogWorkerStarted(process.Id, workerId);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var connected = await Task.WhenAny(channel.Connected, process.Exited, Task.Delay(timeout, cancellationToken));
            if (connected == process.Exited)
            {
                throw new WorkerStartException($"the worker process exited with code {process.Exited.Result} before it connected to the host");
            }
            cancellationToken.ThrowIfCancellationRequested();
            if (!channel.Connected.IsCompleted)
            {
                throw new WorkerStartException(
                    $"the worker (process {process.Id}) did not connect to the host within {timeout:c} (LocalFunctionsHost__WorkerStartTimeout)");
            }
            var init = await channel.InitializeAsync(settings.ScriptRoot, Remaining(started, timeout));
            LogWorkerInitialised(process.Id, init.WorkerMetadata?.RuntimeVersion ?? "?", init.WorkerMetadata?.WorkerVersion ?? init.WorkerVersion,
                string.Join(",", channel.Capabilities.Keys.Order(StringComparer.Ordinal)));
            var metadata = await channel.GetMetadataAsync(settings.ScriptRoot, Remaining(started, timeout));
            if (metadata.Result is { Status: not StatusResult.Types.Status.Success })
            {
                throw new WorkerStartException("the worker failed to index its functions: " + WorkerChannel.Describe(metadata.Result));
            }
            if (metadata.UseDefaultMetadataIndexing)
            {
                throw new WorkerStartException("the worker asked the host to index its functions from function.json files, which this host does not do");
            }
            return (new Instance(process, channel, Stopwatch.GetTimestamp()), metadata);
        }
        catch (Exception ex) when (ex is WorkerStartException or TimeoutException or WorkerLostException or InvalidOperationException or OperationCanceledException)
        {
            channel.Close("the worker failed to start");
            process.Kill();
            await process.Exited.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
            registry.Remove(workerId);
            if (ex is OperationCanceledException) throw;
            throw ex as WorkerStartException ?? new WorkerStartException(ex.Message, ex);
        }
    }

    /// <summary>Loads every known function into <paramref name="instance"/> by name; returns those that failed.</summary>
    private async Task<IReadOnlyList<string>> LoadIntoAsync(Instance instance, FunctionMetadataResponse metadata)
    {
        // This worker's metadata gives the ids; the descriptors (resolved once at start) give the names.
        var byName = metadata.FunctionMetadataResults.ToDictionary(m => m.Name, StringComparer.OrdinalIgnoreCase);
        var loads = new List<(string Name, Task<FunctionLoadResponse> Response)>();
        foreach (var function in _functions)
        {
            if (!byName.TryGetValue(function.Name, out var current))
            {
                loads.Add((function.Name, Task.FromException<FunctionLoadResponse>(new InvalidOperationException("the restarted worker no longer declares it"))));
                continue;
            }
            _functionIds[function.Name] = current.FunctionId;
            loads.Add((function.Name, instance.Channel.LoadAsync(new FunctionLoadRequest { FunctionId = current.FunctionId, Metadata = current },
                settings.WorkerStartTimeout)));
        }
        var failed = new List<string>();
        foreach (var (name, response) in loads)
        {
            try
            {
                var result = await response;
                if (result.Result?.Status == StatusResult.Types.Status.Success) continue;
                LogLoadFailed(name, WorkerChannel.Describe(result.Result));
            }
            catch (Exception ex) when (ex is TimeoutException or WorkerLostException or InvalidOperationException)
            {
                if (ex is WorkerLostException or TimeoutException) throw new WorkerStartException("loading the functions failed: " + ex.Message, ex);
                LogLoadFailed(name, ex.Message);
            }
            failed.Add(name);
        }
        return failed;
    }

    private void SetReady(WorkerChannel channel)
    {
        lock (_gate)
        {
            if (!_ready.TrySetResult(channel))
            {
                _ready = new TaskCompletionSource<WorkerChannel>(TaskCreationOptions.RunContinuationsAsynchronously);
                _ready.SetResult(channel);
            }
        }
    }

    private void SetNotReady()
    {
        lock (_gate)
        {
            if (_ready.Task.IsCompleted) _ready = new TaskCompletionSource<WorkerChannel>(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    private static TimeSpan Remaining(long started, TimeSpan timeout)
    {
        var left = timeout - Stopwatch.GetElapsedTime(started);
        return left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1);
    }

    private sealed record Instance(WorkerProcess Process, WorkerChannel Channel, long StartedAt);
}
