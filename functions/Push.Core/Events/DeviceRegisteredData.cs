using Push.Core.Registry;

namespace Push.Core.Events;

/// <summary><c>push.device.registered</c>: a device (re)registers its tokens and payload key.</summary>
/// <param name="AppId">iOS bundle id or Android package name.</param>
/// <param name="VoipToken">iOS only: the PushKit token for ringing calls.</param>
/// <param name="Region">ISO 3166 alpha-2; <c>CN</c> turns iOS calls into alert pushes.</param>
public sealed record DeviceRegisteredData(
    string DeviceId,
    DevicePlatform Platform,
    string AppId,
    string PushToken,
    string? VoipToken,
    PushEnvironment Environment,
    string? Region,
    DeviceEncryptionKey EncryptionKey) : PushEventData
{
    public override string EventType => PushEventTypes.DeviceRegistered;

    public override string ToString() =>
        $"DeviceRegisteredData {{ DeviceId = {DeviceId}, Platform = {Platform}, AppId = {AppId}, Environment = {Environment}, Region = {Region}, KeyId = {EncryptionKey.Id} }}";
}
