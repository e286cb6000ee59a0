using Microsoft.Extensions.Logging;

namespace LocalFunctionsHost.Timers;

/// <summary>The timer trigger's log messages: function names, times, exception types and status codes — never lease ids or exception messages.</summary>
internal static partial class TimerListenerLog
{
    [LoggerMessage(EventId = 3050, Level = LogLevel.Information,
        Message = "Timer trigger {FunctionName} on schedule '{Schedule}' (UTC, run on startup {RunOnStartup}, lease {LeaseDuration}); waiting for its lease")]
    public static partial void TimerStarted(this ILogger logger, string functionName, string schedule, bool runOnStartup, TimeSpan leaseDuration);

    [LoggerMessage(EventId = 3051, Level = LogLevel.Information, Message = "Timer trigger {FunctionName} stopped (lease released {Released})")]
    public static partial void TimerStopped(this ILogger logger, string functionName, bool released);

    [LoggerMessage(EventId = 3052, Level = LogLevel.Information, Message = "Timer {FunctionName}: this instance acquired the lease and runs the schedule")]
    public static partial void LeaseAcquired(this ILogger logger, string functionName);

    [LoggerMessage(EventId = 3053, Level = LogLevel.Warning,
        Message = "Timer {FunctionName}: acquiring the lease failed ({ExceptionType}, status {Status}, {ErrorCode}); trying again")]
    public static partial void LeaseAcquireFailed(this ILogger logger, string functionName, string exceptionType, int status, string? errorCode);

    [LoggerMessage(EventId = 3054, Level = LogLevel.Warning,
        Message = "Timer {FunctionName}: renewing the lease failed ({ExceptionType}, status {Status}, {ErrorCode}); trying again sooner")]
    public static partial void LeaseRenewalFailed(this ILogger logger, string functionName, string exceptionType, int status, string? errorCode);

    [LoggerMessage(EventId = 3055, Level = LogLevel.Warning,
        Message = "Timer {FunctionName}: the lease was lost ({Reason}); this instance stops running the schedule and tries to acquire it again")]
    public static partial void LeaseLost(this ILogger logger, string functionName, string reason);

    [LoggerMessage(EventId = 3056, Level = LogLevel.Information, Message = "Timer {FunctionName}: lease released")]
    public static partial void LeaseReleased(this ILogger logger, string functionName);

    [LoggerMessage(EventId = 3057, Level = LogLevel.Warning,
        Message = "Timer {FunctionName}: releasing the lease failed ({ExceptionType}, status {Status}); another instance takes over when it expires")]
    public static partial void LeaseReleaseFailed(this ILogger logger, string functionName, string exceptionType, int status);

    [LoggerMessage(EventId = 3058, Level = LogLevel.Information,
        Message = "Timer {FunctionName}: the occurrence at {MissedOccurrence:O} was missed (now {Now:O}); running once now as past due")]
    public static partial void PastDue(this ILogger logger, string functionName, DateTimeOffset missedOccurrence, DateTimeOffset now);

    [LoggerMessage(EventId = 3059, Level = LogLevel.Warning,
        Message = "Timer {FunctionName}: {Count} occurrence(s) passed while the previous run was still going; running once for {ScheduledTime:O}")]
    public static partial void OccurrencesSkipped(this ILogger logger, string functionName, int count, DateTimeOffset scheduledTime);

    [LoggerMessage(EventId = 3060, Level = LogLevel.Information,
        Message = "Timer {FunctionName}: the schedule changed since the status was written; next occurrence {Next:O}")]
    public static partial void ScheduleChanged(this ILogger logger, string functionName, DateTimeOffset next);

    [LoggerMessage(EventId = 3061, Level = LogLevel.Debug,
        Message = "Timer {FunctionName} running for {ScheduledTime:O} (past due {IsPastDue}, on startup {OnStartup})")]
    public static partial void RunStarting(this ILogger logger, string functionName, DateTimeOffset scheduledTime, bool isPastDue, bool onStartup);

    [LoggerMessage(EventId = 3062, Level = LogLevel.Information,
        Message = "Timer {FunctionName} ran for {ScheduledTime:O} in {Elapsed}; next occurrence {Next:O}")]
    public static partial void RunSucceeded(this ILogger logger, string functionName, DateTimeOffset scheduledTime, TimeSpan elapsed, DateTimeOffset? next);

    [LoggerMessage(EventId = 3063, Level = LogLevel.Error,
        Message = "Timer {FunctionName} failed for {ScheduledTime:O}: {Outcome} {ExceptionType}; the schedule continues with {Next:O}")]
    public static partial void RunFailed(this ILogger logger, string functionName, DateTimeOffset scheduledTime, string outcome, string exceptionType,
        DateTimeOffset? next);

    [LoggerMessage(EventId = 3064, Level = LogLevel.Warning,
        Message = "Timer {FunctionName}: the schedule status could not be read or written ({ExceptionType}, status {Status}, {ErrorCode}); trying again")]
    public static partial void StatusFailed(this ILogger logger, string functionName, string exceptionType, int status, string? errorCode);

    [LoggerMessage(EventId = 3065, Level = LogLevel.Warning,
        Message = "Timer {FunctionName}: the schedule status was not valid JSON ({ExceptionType}); starting it afresh")]
    public static partial void StatusUnreadable(this ILogger logger, string functionName, string exceptionType);

    [LoggerMessage(EventId = 3066, Level = LogLevel.Information,
        Message = "Timer {FunctionName}: the schedule has no further occurrence; the timer stays idle")]
    public static partial void ScheduleEnded(this ILogger logger, string functionName);

    [LoggerMessage(EventId = 3067, Level = LogLevel.Warning,
        Message = "Timer {FunctionName}: abandoned without releasing its lease (another instance takes over when it expires)")]
    public static partial void Abandoned(this ILogger logger, string functionName);

    [LoggerMessage(EventId = 3068, Level = LogLevel.Error,
        Message = "Timer {FunctionName} ignored cancellation at the end of the shutdown grace period; stopping without waiting further")]
    public static partial void FunctionIgnoredCancellation(this ILogger logger, string functionName);
}
