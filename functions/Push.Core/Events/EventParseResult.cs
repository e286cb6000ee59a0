using System.Diagnostics.CodeAnalysis;

namespace Push.Core.Events;

/// <summary>Either a valid <see cref="PushEvent"/> or the first <see cref="EventProblem"/> found.</summary>
public readonly struct EventParseResult
{
    private EventParseResult(PushEvent? evt, EventProblem? problem)
    {
        Event = evt;
        Problem = problem;
    }

    public PushEvent? Event { get; }
    public EventProblem? Problem { get; }

    [MemberNotNullWhen(true, nameof(Event))]
    [MemberNotNullWhen(false, nameof(Problem))]
    public bool IsSuccess => Event is not null;

    public static EventParseResult Success(PushEvent evt) => new(evt ?? throw new ArgumentNullException(nameof(evt)), null);

    public static EventParseResult Failure(EventProblem problem) => new(null, problem ?? throw new ArgumentNullException(nameof(problem)));

    public override string ToString() => IsSuccess ? $"Success({Event})" : $"Failure({Problem})";
}
