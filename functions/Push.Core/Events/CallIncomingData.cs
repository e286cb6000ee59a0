namespace Push.Core.Events;

/// <summary><c>push.call.incoming</c>: a phone should ring.</summary>
/// <param name="ActiveNode">The call-control node the client should register to (failover hint); sent only encrypted.</param>
/// <param name="Devices">When set, only these device ids of the user are rung.</param>
public sealed record CallIncomingData(
    string CallId,
    Party Caller,
    string Media,
    int RingTimeoutSeconds = CallIncomingData.DefaultRingTimeoutSeconds,
    string? ActiveNode = null,
    IReadOnlyList<string>? Devices = null) : PushEventData
{
    public const int DefaultRingTimeoutSeconds = 30;
    public const int MinRingTimeoutSeconds = 1;
    public const int MaxRingTimeoutSeconds = 300;

    public override string EventType => PushEventTypes.CallIncoming;

    public override string ToString() =>
        $"CallIncomingData {{ CallId = {CallId}, Media = {Media}, RingTimeoutSeconds = {RingTimeoutSeconds}, Devices = {Devices?.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "all"} }}";
}
