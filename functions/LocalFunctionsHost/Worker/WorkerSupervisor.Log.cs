using Microsoft.Extensions.Logging;

namespace LocalFunctionsHost.Worker;

internal sealed partial class WorkerSupervisor
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Worker process {ProcessId} started (worker id {WorkerId})")]
    private partial void LogWorkerStarted(int processId, string workerId);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information,
        Message = "Worker process {ProcessId} initialised (runtime {RuntimeVersion}, worker {WorkerVersion}; capabilities {Capabilities})")]
    private partial void LogWorkerInitialised(int processId, string runtimeVersion, string workerVersion, string capabilities);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Error, Message = "The worker failed to load function {FunctionName}: {Reason}")]
    private partial void LogLoadFailed(string functionName, string reason);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Error,
        Message = "Worker process {ProcessId} exited with code {ExitCode}; {InFlight} invocation(s) in flight failed; restarting it in {Delay}")]
    private partial void LogWorkerDied(int processId, int exitCode, int inFlight, TimeSpan delay);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Worker process {ProcessId} restarted and ready")]
    private partial void LogWorkerRestarted(int processId);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Error, Message = "Restarting the worker failed: {Reason}; trying again in {Delay}")]
    private partial void LogRestartFailed(string reason, TimeSpan delay);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Information, Message = "Sending WorkerTerminate to worker process {ProcessId} (grace period {GracePeriod})")]
    private partial void LogTerminating(int processId, TimeSpan gracePeriod);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Warning, Message = "Worker process {ProcessId} did not exit within {GracePeriod}; killing it")]
    private partial void LogKilledAfterGrace(int processId, TimeSpan gracePeriod);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Information, Message = "Worker process {ProcessId} exited with code {ExitCode}")]
    private partial void LogWorkerStopped(int processId, int exitCode);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Warning, Message = "Recycling worker process {ProcessId}: {Reason}")]
    private partial void LogRecycling(int processId, string reason);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Error, Message = "After the restart the worker failed to load: {FunctionNames}")]
    private partial void LogLoadFailedAfterRestart(string functionNames);
}
