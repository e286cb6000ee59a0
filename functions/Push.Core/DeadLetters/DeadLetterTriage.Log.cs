using Microsoft.Extensions.Logging;

namespace Push.Core.DeadLetters;

// Fixed event ids 3500-3549. Queue, message id, tracking id and reason only: never a body, key or exception message.
public sealed partial class DeadLetterTriage
{
    [LoggerMessage(3500, LogLevel.Information, "Dead letter {MessageId} from {Queue} (event {TrackingId}, reason {Reason}) replayed; replay {ReplayCount}")]
    private partial void LogReplayed(string queue, string messageId, string? trackingId, string reason, int replayCount);

    [LoggerMessage(3501, LogLevel.Information, "Dead letter {MessageId} from {Queue} (event {TrackingId}, reason {Reason}) archived as {Class} {Detail}")]
    private partial void LogArchived(string queue, string messageId, string? trackingId, string reason, DeadLetterClass @class, string? detail);

    [LoggerMessage(3502, LogLevel.Debug, "Dead letter {MessageId} from {Queue} (event {TrackingId}, reason {Reason}) cooling down until {DueAt:O}")]
    private partial void LogDeferred(string queue, string messageId, string? trackingId, string reason, DateTimeOffset dueAt);

    [LoggerMessage(3503, LogLevel.Warning, "Dead letter {MessageId} from {Queue} (event {TrackingId}, reason {Reason}) not settled this run: {ExceptionType}; it stays in the poison queue")]
    private partial void LogEntryFailed(string queue, string messageId, string? trackingId, string reason, string exceptionType);

    [LoggerMessage(3504, LogLevel.Information, "Dead-letter triage done: {Replayed} replayed, {Archived} archived, {Deferred} cooling down, {Failed} failed")]
    private partial void LogRunCompleted(int replayed, int archived, int deferred, int failed);
}
