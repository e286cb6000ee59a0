using System.Security.Cryptography;
using Push.Core.Registry;

namespace Push.Core.Tests.Protection;

/// <summary>A registered device together with the plaintext key only the phone (and the test) knows.</summary>
internal sealed record TestDevice(RegisteredDevice Device, byte[] Key);

internal static class TestDevices
{
    public const string IosPushToken = "a3f1c2d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9a";
    public const string IosVoipToken = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    public const string FcmToken = "fcm-token:APA91bHPRgkF3JUikC4ENAHEeMrd41Zxv3hVZjC9KtT8OvPVGJ";

    public static TestDevice Ios(IDeviceKeyProtector protector, string deviceId = "iphone-1", string? region = null,
        bool voipToken = true, bool pushToken = true, PushEnvironment environment = PushEnvironment.Production) =>
        Create(protector, deviceId, DevicePlatform.Ios, pushToken ? IosPushToken : null, voipToken ? IosVoipToken : null, region, environment);

    public static TestDevice Android(IDeviceKeyProtector protector, string deviceId = "pixel-1", bool pushToken = true) =>
        Create(protector, deviceId, DevicePlatform.Android, pushToken ? FcmToken : null, null, null, PushEnvironment.Production);

    /// <summary>The same device re-registered with a fresh key.</summary>
    public static TestDevice Rekeyed(IDeviceKeyProtector protector, TestDevice device, string keyId)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        return new TestDevice(device.Device with { WrappedKey = protector.Wrap(keyId, key) }, key);
    }

    private static TestDevice Create(IDeviceKeyProtector protector, string deviceId, DevicePlatform platform,
        string? pushToken, string? voipToken, string? region, PushEnvironment environment)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var device = new RegisteredDevice("alice", deviceId, platform, "com.example.phone", pushToken, voipToken,
            environment, region, protector.Wrap("k1", key), DateTimeOffset.UnixEpoch, "etag-1");
        return new TestDevice(device, key);
    }
}
