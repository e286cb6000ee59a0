using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using Push.Core.DeadLetters;
using Push.Core.Queues;

namespace Push.Functions.ProcessDeadLetters;

/// <summary>
/// Timer (<c>Timers:ProcessDeadLetters</c>, every 5 minutes by default; one instance at a time): triages the dead letters of
/// the calls, messages and devices queues, replaying what an outage put there and archiving the rest. The work is in
/// <see cref="DeadLetterTriage"/>.
/// </summary>
public sealed class ProcessDeadLettersFunction(DeadLetterTriage triage, IOptions<QueueNames> queues)
{
    public const string Name = "ProcessDeadLetters";

    public const string DefaultSchedule = "0 */5 * * * *";

    [Function(Name)]
    public Task RunAsync([TimerTrigger("%Timers:ProcessDeadLetters%")] TimerInfo timer, CancellationToken cancellationToken) =>
        triage.RunAsync(queues.Value.All, cancellationToken);
}
