using Microsoft.Extensions.Logging;

namespace LocalFunctionsHost.Rpc;

internal sealed partial class WorkerChannel
{
    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Worker {WorkerId} opened a second stream; it is refused")]
    private partial void LogDuplicateStream(string workerId);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Debug, Message = "Worker {WorkerId} sent a {MessageType} message this host does not handle")]
    private partial void LogUnexpectedMessage(string workerId, string messageType);
}
