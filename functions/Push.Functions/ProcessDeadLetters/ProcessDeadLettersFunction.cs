using Push.Core.DeadLetters;
using Push.Hosting.Timers;

namespace Push.Functions.ProcessDeadLetters;

/// <summary>
/// Timer-triggered (one instance at a time): triages the poison queues of the calls, messages and devices queues,
/// replaying what an outage put there and archiving the rest. The work is in <see cref="DeadLetterTriage"/>.
/// </summary>
public sealed class ProcessDeadLettersFunction : ITimerTriggeredFunction
{
    public const string Name = "ProcessDeadLetters";

    /// <summary>The default schedule (every 5 minutes, at second 0); setting <c>DeadLetters:Schedule</c> overrides it.</summary>
    public const string DefaultSchedule = "0 */5 * * * *";

    private readonly DeadLetterTriage _triage;
    private readonly DeadLetterSourceQueues _queues;

    public ProcessDeadLettersFunction(DeadLetterTriage triage, DeadLetterSourceQueues queues)
    {
        _triage = triage;
        _queues = queues;
    }

    public Task RunAsync(TimerTriggerInfo timer, CancellationToken cancellationToken) =>
        _triage.RunAsync(_queues.Names, cancellationToken);
}
