using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace LocalFunctionsHost.Rpc;

/// <summary>
/// Writes the worker's <c>RpcLog</c> messages to the host's console: the worker removes its own console logger, so
/// these are all the function's and the worker's logs. Each keeps its category and level, and names its invocation.
/// </summary>
internal sealed partial class WorkerLogSink(ILoggerFactory loggerFactory)
{
    private readonly ConcurrentDictionary<string, ILogger> _loggers = new(StringComparer.Ordinal);

    public void Write(RpcLog log)
    {
        var category = string.IsNullOrEmpty(log.Category) ? "Worker" : log.Category;
        var logger = _loggers.GetOrAdd(category, loggerFactory.CreateLogger);
        var level = log.Level switch
        {
            RpcLog.Types.Level.Trace => LogLevel.Trace,
            RpcLog.Types.Level.Debug => LogLevel.Debug,
            RpcLog.Types.Level.Information => LogLevel.Information,
            RpcLog.Types.Level.Warning => LogLevel.Warning,
            RpcLog.Types.Level.Error => LogLevel.Error,
            RpcLog.Types.Level.Critical => LogLevel.Critical,
            _ => LogLevel.None,
        };
        if (level == LogLevel.None || !logger.IsEnabled(level)) return;
        var exception = log.Exception is { } ex ? $" {ex.Type} {ex.Message}".TrimEnd() : "";
        if (string.IsNullOrEmpty(log.InvocationId)) WorkerLog(logger, level, log.Message, exception);
        else WorkerInvocationLog(logger, level, log.Message, exception, log.InvocationId);
    }
}
