namespace Push.Hosting.Timers;

/// <summary>One function bound to a schedule (added by <c>AddTimerTrigger</c>); the schedule is resolved and checked at start.</summary>
internal sealed record TimerTriggerRegistration(string FunctionName, string Schedule, bool RunOnStartup, Type FunctionType);
