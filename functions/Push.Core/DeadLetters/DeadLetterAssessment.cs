namespace Push.Core.DeadLetters;

/// <summary>What triage concluded about one entry.</summary>
/// <param name="Class">What to do with it.</param>
/// <param name="TrackingId">The event's id, when the original event could be read far enough.</param>
/// <param name="EventType">The event's type, when known.</param>
/// <param name="Detail">Why the class was chosen when the reason alone does not say (e.g. <c>RingTimeElapsed</c>).</param>
public sealed record DeadLetterAssessment(DeadLetterClass Class, string? TrackingId, string? EventType, string? Detail = null);
