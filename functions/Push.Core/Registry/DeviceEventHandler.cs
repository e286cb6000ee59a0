using Push.Core.Events;

namespace Push.Core.Registry;

/// <summary>Applies <c>push.device.registered</c> / <c>push.device.unregistered</c> to the registry.</summary>
public sealed class DeviceEventHandler
{
    private readonly IDeviceRegistry _registry;

    public DeviceEventHandler(IDeviceRegistry registry) => _registry = registry;

    public async Task HandleAsync(PushEvent evt, CancellationToken cancellationToken)
    {
        switch (evt.Data)
        {
            case DeviceRegisteredData registered:
                await _registry.RegisterAsync(ToRegistration(evt, registered), cancellationToken);
                break;
            case DeviceUnregisteredData unregistered:
                await _registry.UnregisterAsync(evt.Subject, unregistered.DeviceId, cancellationToken);
                break;
            default:
                throw new ArgumentException($"{evt.Type} is not a device event", nameof(evt));
        }
    }

    /// <summary>The registration an event describes; its time orders competing registrations.</summary>
    public static DeviceRegistration ToRegistration(PushEvent evt, DeviceRegisteredData data) => new(
        evt.Subject,
        data.DeviceId,
        data.Platform,
        data.AppId,
        data.PushToken,
        data.VoipToken,
        data.Environment,
        data.Region,
        data.EncryptionKey.Id,
        data.EncryptionKey.Key,
        evt.Time);
}
