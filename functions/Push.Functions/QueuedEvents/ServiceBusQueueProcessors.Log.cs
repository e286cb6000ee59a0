using Microsoft.Extensions.Logging;

namespace Push.Functions.QueuedEvents;

public sealed partial class ServiceBusQueueProcessors
{
    // Fixed event ids 3740-3759.
    [LoggerMessage(3740, LogLevel.Information, "Service Bus processor on {Queue} started (maxConcurrentCalls {MaxConcurrentCalls}, prefetchCount {PrefetchCount})")]
    private partial void LogStarted(string queue, int maxConcurrentCalls, int prefetchCount);

    [LoggerMessage(3741, LogLevel.Warning, "Service Bus processor on {Queue}: {Source} failed ({Reason}); the SDK retries")]
    private partial void LogProcessorError(string queue, string source, string reason);
}
