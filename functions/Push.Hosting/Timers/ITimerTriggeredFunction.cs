namespace Push.Hosting.Timers;

/// <summary>
/// A function bound to a schedule (the Azure Functions timer trigger). It runs on one instance at a time, the one that
/// holds the function's blob lease; one instance is resolved from a fresh DI scope per run. A run that throws is logged
/// and counted as failed, and the schedule goes on (Functions does not retry a timer run).
/// </summary>
public interface ITimerTriggeredFunction
{
    /// <param name="timer">Which occurrence this run is for, and whether it was missed (<see cref="TimerTriggerInfo.IsPastDue"/>).</param>
    /// <param name="cancellationToken">
    /// Cancelled at <c>functionTimeout</c>, when the shutdown grace period ends, and when this instance loses the lease
    /// (another instance may then run the next occurrence).
    /// </param>
    Task RunAsync(TimerTriggerInfo timer, CancellationToken cancellationToken);
}
