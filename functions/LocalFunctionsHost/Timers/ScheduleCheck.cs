namespace LocalFunctionsHost.Timers;

/// <summary>What the schedule monitor concluded when an instance took over a timer.</summary>
/// <param name="Status">The status to continue from; null when the schedule never fires again.</param>
/// <param name="MustWrite">The status is new (first start, or the schedule changed) and must be persisted.</param>
/// <param name="PastDueOccurrence">The recorded next occurrence, when it passed without a run.</param>
/// <param name="ScheduleChanged">The recorded next occurrence does not follow from the current schedule.</param>
internal sealed record ScheduleCheck(ScheduleStatus? Status, bool MustWrite, DateTimeOffset? PastDueOccurrence, bool ScheduleChanged);
