namespace Push.Core.Events;

/// <summary>The sender of an instant message: display name (optional) and address (e.g. a JID).</summary>
public sealed record ImSender(string? Name, string Address)
{
    public override string ToString() => "ImSender { (redacted) }";
}
