namespace Push.Core.Events;

/// <summary><c>push.call.ended</c>: stop ringing / show a missed call.</summary>
/// <param name="Reason">One of <see cref="CallEndReasons"/>.</param>
public sealed record CallEndedData(string CallId, string Reason, Party Caller) : PushEventData
{
    public override string EventType => PushEventTypes.CallEnded;

    public override string ToString() => $"CallEndedData {{ CallId = {CallId}, Reason = {Reason} }}";
}
