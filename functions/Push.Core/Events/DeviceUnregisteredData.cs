namespace Push.Core.Events;

/// <summary><c>push.device.unregistered</c>: forget a device.</summary>
public sealed record DeviceUnregisteredData(string DeviceId) : PushEventData
{
    public override string EventType => PushEventTypes.DeviceUnregistered;
}
