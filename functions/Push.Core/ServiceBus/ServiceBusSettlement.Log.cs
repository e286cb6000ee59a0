using Microsoft.Extensions.Logging;

namespace Push.Core.ServiceBus;

public sealed partial class ServiceBusSettlement
{
    // Fixed event ids 3720-3739.
    [LoggerMessage(3721, LogLevel.Information, "Message {MessageId} on {Queue}: a copy is scheduled in {Delay} ({Reason})")]
    private partial void LogRetryCopy(string queue, string messageId, string reason, TimeSpan delay);

    [LoggerMessage(3722, LogLevel.Warning, "Message {MessageId} on {Queue} dead-lettered: {Reason}")]
    private partial void LogDeadLettered(string queue, string messageId, string reason);
}
