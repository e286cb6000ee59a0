using Microsoft.Extensions.Logging;

namespace Push.Hosting.ServiceBus;

/// <summary>The Service Bus trigger's log messages: queue, message id, delivery count, reasons — never a body or a key.</summary>
internal static partial class ServiceBusLog
{
    [LoggerMessage(EventId = 3600, Level = LogLevel.Information,
        Message = "Service Bus trigger {FunctionName} listening on {QueueName} at {Host} ({Broker}, {AuthMode}; maxConcurrentCalls {MaxConcurrentCalls}, credit {Credit}, maxDeliveryCount {MaxDeliveryCount})")]
    public static partial void ListenerStarted(this ILogger logger, string functionName, string queueName, string host, ServiceBusBroker broker,
        ServiceBusAuthMode authMode, int maxConcurrentCalls, int credit, int maxDeliveryCount);

    [LoggerMessage(EventId = 3601, Level = LogLevel.Information, Message = "Service Bus trigger {FunctionName} on {QueueName} stopped")]
    public static partial void ListenerStopped(this ILogger logger, string functionName, string queueName);

    [LoggerMessage(EventId = 3602, Level = LogLevel.Warning,
        Message = "Connecting to {QueueName} failed ({ExceptionType}: {Condition}); retrying in {Delay}")]
    public static partial void ConnectFailed(this ILogger logger, string queueName, string exceptionType, string? condition, TimeSpan delay);

    [LoggerMessage(EventId = 3603, Level = LogLevel.Warning, Message = "Connection for {QueueName} lost ({Reason}); reconnecting")]
    public static partial void ConnectionLost(this ILogger logger, string queueName, string reason);

    [LoggerMessage(EventId = 3604, Level = LogLevel.Information, Message = "Receiver for {QueueName} attached")]
    public static partial void Attached(this ILogger logger, string queueName);

    [LoggerMessage(EventId = 3610, Level = LogLevel.Debug,
        Message = "Message {MessageId} received from {QueueName} (delivery count {DeliveryCount}, sequence number {SequenceNumber})")]
    public static partial void MessageReceived(this ILogger logger, string queueName, string messageId, long deliveryCount, long? sequenceNumber);

    [LoggerMessage(EventId = 3611, Level = LogLevel.Debug, Message = "Message {MessageId} on {QueueName} completed (delivery count {DeliveryCount})")]
    public static partial void MessageCompleted(this ILogger logger, string queueName, string messageId, long deliveryCount);

    [LoggerMessage(EventId = 3612, Level = LogLevel.Information,
        Message = "Message {MessageId} on {QueueName} abandoned after {Delay} (delivery count {DeliveryCount}): {Reason}")]
    public static partial void MessageAbandoned(this ILogger logger, string queueName, string messageId, long deliveryCount, TimeSpan delay, string reason);

    [LoggerMessage(EventId = 3613, Level = LogLevel.Warning,
        Message = "Function {FunctionName} failed on message {MessageId} from {QueueName} (delivery count {DeliveryCount}): {Reason} {ExceptionType}")]
    public static partial void FunctionFailed(this ILogger logger, string functionName, string queueName, string messageId, long deliveryCount,
        string reason, string exceptionType);

    [LoggerMessage(EventId = 3614, Level = LogLevel.Warning,
        Message = "Message {MessageId} from {QueueName} dead-lettered (delivery count {DeliveryCount}): {Reason}")]
    public static partial void MessageDeadLettered(this ILogger logger, string queueName, string messageId, long deliveryCount, string reason);

    [LoggerMessage(EventId = 3615, Level = LogLevel.Information,
        Message = "Message {MessageId} on {QueueName} released (delivery count {DeliveryCount})")]
    public static partial void MessageReleased(this ILogger logger, string queueName, string messageId, long deliveryCount);

    [LoggerMessage(EventId = 3616, Level = LogLevel.Warning,
        Message = "Renewing the lock of message {MessageId} on {QueueName} failed ({ExceptionType}); it may be redelivered")]
    public static partial void LockRenewalFailed(this ILogger logger, string queueName, string messageId, string exceptionType);

    [LoggerMessage(EventId = 3617, Level = LogLevel.Warning,
        Message = "Settling message {MessageId} on {QueueName} ({Action}) failed ({ExceptionType}); the broker redelivers it when its lock or link ends")]
    public static partial void SettlementFailed(this ILogger logger, string queueName, string messageId, string action, string exceptionType);

    [LoggerMessage(EventId = 3618, Level = LogLevel.Warning,
        Message = "Shutdown grace period ended with {Count} function(s) still running on {QueueName}; cancelling them and releasing their messages")]
    public static partial void ShutdownGraceEnded(this ILogger logger, string queueName, int count);

    [LoggerMessage(EventId = 3619, Level = LogLevel.Information,
        Message = "Message {MessageId} on {QueueName} deferred (delivery count {DeliveryCount})")]
    public static partial void MessageDeferred(this ILogger logger, string queueName, string messageId, long deliveryCount);
}
