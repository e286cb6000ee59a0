using Microsoft.Extensions.Logging;

namespace LocalFunctionsHost.Functions;

internal sealed partial class FunctionInvoker
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Executing 'Functions.{FunctionName}' (Reason='{Reason}', Id={InvocationId})")]
    private partial void LogExecuting(string functionName, string reason, string invocationId);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Executed 'Functions.{FunctionName}' (Succeeded, Id={InvocationId}, Duration={DurationMs}ms)")]
    private partial void LogSucceeded(string functionName, string invocationId, long durationMs);

    /// <remarks>The exception's type and message are the worker's report of the user exception, as the Functions host logs them.</remarks>
    [LoggerMessage(EventId = 2003, Level = LogLevel.Error,
        Message = "Executed 'Functions.{FunctionName}' ({Outcome}, Id={InvocationId}, Duration={DurationMs}ms): {ExceptionType}: {ExceptionMessage}")]
    private partial void LogNotSucceeded(string functionName, string outcome, string invocationId, long durationMs, string exceptionType,
        string exceptionMessage);
}
