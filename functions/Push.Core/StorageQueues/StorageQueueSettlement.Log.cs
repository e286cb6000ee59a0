using Microsoft.Extensions.Logging;

namespace Push.Core.StorageQueues;

public sealed partial class StorageQueueSettlement
{
    // Fixed event ids 3700-3719.
    [LoggerMessage(3701, LogLevel.Information, "Message {MessageId} on {Queue}: a copy comes back in {Delay} ({Reason})")]
    private partial void LogRetryCopy(string queue, string messageId, string reason, TimeSpan delay);

    [LoggerMessage(3702, LogLevel.Warning, "Message {MessageId} on {Queue} dead-lettered to its poison queue: {Reason}")]
    private partial void LogDeadLettered(string queue, string messageId, string reason);
}
