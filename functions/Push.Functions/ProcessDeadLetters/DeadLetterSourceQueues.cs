namespace Push.Functions.ProcessDeadLetters;

/// <summary>The queues whose <c>-poison</c> queues triage reads: the relay's calls, messages and devices queues.</summary>
public sealed record DeadLetterSourceQueues(IReadOnlyList<string> Names);
