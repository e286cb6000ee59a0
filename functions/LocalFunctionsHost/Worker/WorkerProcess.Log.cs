using Microsoft.Extensions.Logging;

namespace LocalFunctionsHost.Worker;

internal sealed partial class WorkerProcess
{
    [LoggerMessage(EventId = 1101, Message = "[worker {ProcessId}] {Line}")]
    private static partial void WorkerConsole(ILogger logger, LogLevel level, int processId, string line);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning,
        Message = "{Launcher} is missing: the worker is started directly and would outlive a host killed by SIGKILL")]
    private static partial void LogNoPdeathsig(ILogger logger, string launcher);
}
