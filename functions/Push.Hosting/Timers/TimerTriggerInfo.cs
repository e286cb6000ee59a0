namespace Push.Hosting.Timers;

/// <summary>What a timer-triggered function is told about its run (Functions' <c>TimerInfo</c>), all in UTC.</summary>
/// <param name="FunctionName">The name the function was bound under.</param>
/// <param name="ScheduledTime">
/// The occurrence this run is for: the schedule's time for a regular run, the missed occurrence for a past-due run, and
/// the start time for a run-on-startup run.
/// </param>
/// <param name="LastRun">The occurrence of the previous run as persisted in the schedule status, if any ran.</param>
/// <param name="NextRun">The occurrence after this run.</param>
/// <param name="IsPastDue">
/// True when the run is later than its occurrence: one or more occurrences were missed (the instances were down, or a
/// run outlasted the interval). Missed occurrences are caught up once, not once each.
/// </param>
public sealed record TimerTriggerInfo(string FunctionName, DateTimeOffset ScheduledTime, DateTimeOffset? LastRun, DateTimeOffset? NextRun,
    bool IsPastDue);
