using Microsoft.Extensions.Logging;

namespace LocalFunctionsHost.Rpc;

internal sealed partial class FunctionRpcService
{
    [LoggerMessage(EventId = 1401, Level = LogLevel.Warning, Message = "A worker stream began with {MessageType} instead of StartStream; it is closed")]
    private partial void LogNoStartStream(string messageType);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Warning, Message = "A worker with the unknown id {WorkerId} connected; its stream is closed")]
    private partial void LogUnknownWorker(string workerId);
}
