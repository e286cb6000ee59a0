namespace Push.Core.Events;

/// <summary>
/// One producer event (CloudEvents 1.0). <see cref="Id"/> is the tracking id: the idempotency key and the
/// only identifier that travels in clear to a device.
/// </summary>
/// <param name="Source">The producer, e.g. <c>/cucm/cluster-a</c>.</param>
/// <param name="Subject">The recipient user id.</param>
public sealed record PushEvent(
    string Id,
    string Type,
    string Source,
    DateTimeOffset Time,
    string Subject,
    PushEventData Data)
{
    /// <summary>The tracking id (the CloudEvents <c>id</c>).</summary>
    public string TrackingId => Id;

    // The data may carry names, numbers, previews and keys: only its type is printed.
    public override string ToString() =>
        $"PushEvent {{ Id = {Id}, Type = {Type}, Source = {Source}, Time = {Time:O}, Subject = {Subject} }}";
}
