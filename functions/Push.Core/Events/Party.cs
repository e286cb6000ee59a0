namespace Push.Core.Events;

/// <summary>A caller: display name (optional) and number or URI.</summary>
public sealed record Party(string? Name, string Number)
{
    public override string ToString() => "Party { (redacted) }";
}
