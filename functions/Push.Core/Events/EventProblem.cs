namespace Push.Core.Events;

/// <summary>
/// What is wrong with an event: the field's JSON path (e.g. <c>data.caller.number</c>) and the rule it
/// breaks. It never quotes the field's value, so it is safe to log and to put in a dead-letter reason.
/// </summary>
public sealed record EventProblem(EventProblemCode Code, string Field, string Problem)
{
    public override string ToString() => Field.Length == 0 ? $"{Code}: {Problem}" : $"{Code}: {Field}: {Problem}";
}
