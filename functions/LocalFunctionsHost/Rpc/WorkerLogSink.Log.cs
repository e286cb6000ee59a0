using Microsoft.Extensions.Logging;

namespace LocalFunctionsHost.Rpc;

internal sealed partial class WorkerLogSink
{
    [LoggerMessage(EventId = 1301, Message = "{WorkerMessage}{WorkerException}")]
    private static partial void WorkerLog(ILogger logger, LogLevel level, string workerMessage, string workerException);

    [LoggerMessage(EventId = 1302, Message = "{WorkerMessage}{WorkerException} (invocation {InvocationId})")]
    private static partial void WorkerInvocationLog(ILogger logger, LogLevel level, string workerMessage, string workerException, string invocationId);
}
