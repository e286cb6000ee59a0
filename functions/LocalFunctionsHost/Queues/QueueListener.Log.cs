using Microsoft.Extensions.Logging;

namespace LocalFunctionsHost.Queues;

/// <summary>The queue trigger's log messages: ids, queue names, dequeue counts and reasons only — never a message body.</summary>
internal sealed partial class QueueListener
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information,
        Message = "Queue trigger {FunctionName} listening on {QueueName} (batchSize {BatchSize}, newBatchThreshold {NewBatchThreshold}, maxPollingInterval {MaxPollingInterval}, maxDequeueCount {MaxDequeueCount}, visibilityTimeout {VisibilityTimeout})")]
    private partial void LogListenerStarted(string functionName, string queueName, int batchSize, int newBatchThreshold, TimeSpan maxPollingInterval,
        int maxDequeueCount, TimeSpan visibilityTimeout);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Queue trigger {FunctionName} on {QueueName} stopped")]
    private partial void LogListenerStopped(string functionName, string queueName);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning,
        Message = "Receiving from {QueueName} failed ({ExceptionType}, status {Status}, {ErrorCode}); polling again after back-off")]
    private static partial void LogReceiveFailed(ILogger logger, string queueName, string exceptionType, int status, string? errorCode);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Debug, Message = "Queue {QueueName} was empty; polling again in {Delay}")]
    private partial void LogPollingBackoff(string queueName, TimeSpan delay);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Debug, Message = "Message {MessageId} received from {QueueName} (dequeue count {DequeueCount})")]
    private partial void LogMessageReceived(string queueName, string messageId, long dequeueCount);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Warning,
        Message = "Message {MessageId} on {QueueName} is not valid base64 (messageEncoding base64); it goes to the poison queue without running the function")]
    private partial void LogUndecodable(string queueName, string messageId);

    /// <remarks>The Functions host's words ("Message has reached MaxDequeueCount of N. Moving message to queue 'q-poison'.").</remarks>
    [LoggerMessage(EventId = 3014, Level = LogLevel.Warning,
        Message = "Message {MessageId} (dequeue count {DequeueCount}) has reached MaxDequeueCount of {MaxDequeueCount}. Moving message to queue '{PoisonQueueName}' ({Reason}).")]
    private partial void LogMessagePoisoned(string messageId, long dequeueCount, int maxDequeueCount, string poisonQueueName, string reason);

    [LoggerMessage(EventId = 3015, Level = LogLevel.Information,
        Message = "Message {MessageId} on {QueueName} released at shutdown (dequeue count {DequeueCount})")]
    private partial void LogMessageReleased(string queueName, string messageId, long dequeueCount);

    [LoggerMessage(EventId = 3016, Level = LogLevel.Warning,
        Message = "Renewing the visibility of message {MessageId} on {QueueName} failed ({ExceptionType}, status {Status}); trying again sooner")]
    internal static partial void LogLeaseRenewalFailed(ILogger logger, string queueName, string messageId, string exceptionType, int status);

    [LoggerMessage(EventId = 3017, Level = LogLevel.Warning,
        Message = "Message {MessageId} on {QueueName} is no longer held (status {Status}, {ErrorCode}); another delivery may process it")]
    internal static partial void LogLeaseLost(ILogger logger, string queueName, string messageId, int status, string? errorCode);

    [LoggerMessage(EventId = 3018, Level = LogLevel.Error,
        Message = "Settling message {MessageId} on {QueueName} ({Action}) failed ({ExceptionType}, status {Status}, {ErrorCode}); it reappears when its visibility lease ends")]
    private partial void LogSettlementFailed(string queueName, string messageId, string action, string exceptionType, int status, string? errorCode);

    [LoggerMessage(EventId = 3019, Level = LogLevel.Warning,
        Message = "Shutdown grace period ended with {Count} invocation(s) still running on {QueueName}; cancelling them and releasing their messages")]
    private partial void LogShutdownGraceEnded(string queueName, int count);

    [LoggerMessage(EventId = 3020, Level = LogLevel.Error,
        Message = "Function {FunctionName} on {QueueName} ignored cancellation of message {MessageId}; releasing the message without waiting further")]
    private partial void LogFunctionIgnoredCancellation(string functionName, string queueName, string messageId);
}
