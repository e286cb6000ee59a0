namespace Push.Core.Events;

/// <summary>Unwinds the parser to its entry point with the first problem found; never leaves the parser.</summary>
internal sealed class EventRejectedException(EventProblem problem) : Exception(problem.ToString())
{
    public EventProblem EventProblem { get; } = problem;
}
