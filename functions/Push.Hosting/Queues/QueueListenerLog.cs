using Microsoft.Extensions.Logging;

namespace Push.Hosting.Queues;

/// <summary>The queue trigger's log messages: ids, queue, dequeue count and reasons only — never a message body.</summary>
internal static partial class QueueListenerLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information,
        Message = "Queue trigger {FunctionName} listening on {QueueName} (batchSize {BatchSize}, newBatchThreshold {NewBatchThreshold}, maxPollingInterval {MaxPollingInterval}, maxDequeueCount {MaxDequeueCount})")]
    public static partial void ListenerStarted(this ILogger logger, string functionName, string queueName, int batchSize,
        int newBatchThreshold, TimeSpan maxPollingInterval, int maxDequeueCount);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Queue trigger {FunctionName} on {QueueName} stopped")]
    public static partial void ListenerStopped(this ILogger logger, string functionName, string queueName);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning,
        Message = "Receiving from {QueueName} failed ({ExceptionType}, status {Status}, {ErrorCode}); polling again after back-off")]
    public static partial void ReceiveFailed(this ILogger logger, string queueName, string exceptionType, int status, string? errorCode);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Debug, Message = "Message {MessageId} received from {QueueName} (dequeue count {DequeueCount})")]
    public static partial void MessageReceived(this ILogger logger, string queueName, string messageId, long dequeueCount);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Debug, Message = "Message {MessageId} on {QueueName} completed (dequeue count {DequeueCount})")]
    public static partial void MessageCompleted(this ILogger logger, string queueName, string messageId, long dequeueCount);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Information,
        Message = "Message {MessageId} on {QueueName} retried after {Delay} (dequeue count {DequeueCount}): {Reason}")]
    public static partial void MessageRetried(this ILogger logger, string queueName, string messageId, long dequeueCount, TimeSpan delay, string reason);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Warning,
        Message = "Function {FunctionName} failed on message {MessageId} from {QueueName} (dequeue count {DequeueCount}): {Reason} {ExceptionType}")]
    public static partial void FunctionFailed(this ILogger logger, string functionName, string queueName, string messageId, long dequeueCount,
        string reason, string exceptionType);

    [LoggerMessage(EventId = 3014, Level = LogLevel.Warning,
        Message = "Message {MessageId} from {QueueName} moved to {PoisonQueueName} (dequeue count {DequeueCount}): {Reason}")]
    public static partial void MessageDeadLettered(this ILogger logger, string queueName, string messageId, long dequeueCount,
        string poisonQueueName, string reason);

    [LoggerMessage(EventId = 3015, Level = LogLevel.Information,
        Message = "Message {MessageId} on {QueueName} released at shutdown (dequeue count {DequeueCount})")]
    public static partial void MessageReleased(this ILogger logger, string queueName, string messageId, long dequeueCount);

    [LoggerMessage(EventId = 3016, Level = LogLevel.Warning,
        Message = "Renewing the lease of message {MessageId} on {QueueName} failed ({ExceptionType}, status {Status}); trying again sooner")]
    public static partial void LeaseRenewalFailed(this ILogger logger, string queueName, string messageId, string exceptionType, int status);

    [LoggerMessage(EventId = 3017, Level = LogLevel.Warning,
        Message = "Lease of message {MessageId} on {QueueName} was lost (status {Status}, {ErrorCode}); another delivery may process it")]
    public static partial void LeaseLost(this ILogger logger, string queueName, string messageId, int status, string? errorCode);

    [LoggerMessage(EventId = 3018, Level = LogLevel.Error,
        Message = "Settling message {MessageId} on {QueueName} ({Action}) failed ({ExceptionType}, status {Status}, {ErrorCode}); it reappears when its lease ends")]
    public static partial void SettlementFailed(this ILogger logger, string queueName, string messageId, string action, string exceptionType,
        int status, string? errorCode);

    [LoggerMessage(EventId = 3019, Level = LogLevel.Warning,
        Message = "Shutdown grace period ended with {Count} function(s) still running on {QueueName}; cancelling them and releasing their messages")]
    public static partial void ShutdownGraceEnded(this ILogger logger, string queueName, int count);

    [LoggerMessage(EventId = 3020, Level = LogLevel.Error,
        Message = "Function {FunctionName} on {QueueName} ignored cancellation of message {MessageId}; releasing the message without waiting further")]
    public static partial void FunctionIgnoredCancellation(this ILogger logger, string functionName, string queueName, string messageId);
}
