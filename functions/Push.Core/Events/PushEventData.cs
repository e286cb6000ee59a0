namespace Push.Core.Events;

/// <summary>The type-specific <c>data</c> of a <see cref="PushEvent"/>.</summary>
public abstract record PushEventData
{
    private protected PushEventData()
    {
    }

    /// <summary>The CloudEvents <c>type</c> this data belongs to.</summary>
    public abstract string EventType { get; }
}
