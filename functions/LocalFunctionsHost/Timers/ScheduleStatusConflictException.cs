namespace LocalFunctionsHost.Timers;

/// <summary>
/// The schedule status changed under us: another instance wrote it, so it holds (or held) the lease, and this instance
/// must stop running the schedule.
/// </summary>
internal sealed class ScheduleStatusConflictException(string functionName)
    : Exception($"The schedule status of timer {functionName} was written by another instance");
