using System.Security.Cryptography;
using Push.Core.Events;
using Push.Core.Registry;

namespace Push.EndToEnd.Tests.Infrastructure;

/// <summary>A phone the test registers: it keeps its payload key so the test can decrypt what arrives.</summary>
public sealed record TestDevice(
    string UserId,
    string DeviceId,
    DevicePlatform Platform,
    string PushToken,
    string? VoipToken,
    string? Region,
    string KeyId,
    byte[] Key)
{
    public static TestDevice IPhone(string userId, string? region = null) => new(
        userId, "iphone-" + Short(), DevicePlatform.Ios, ApnsToken(), ApnsToken(), region, "k-" + Short(), RandomNumberGenerator.GetBytes(32));

    public static TestDevice Android(string userId) => new(
        userId, "pixel-" + Short(), DevicePlatform.Android, "fcm:" + Convert.ToHexString(RandomNumberGenerator.GetBytes(60)), null, null,
        "k-" + Short(), RandomNumberGenerator.GetBytes(32));

    public DeviceRegisteredData RegisteredData() => new(
        DeviceId, Platform, RelayEnvironment.BundleId, PushToken, VoipToken, PushEnvironment.Production, Region, new DeviceEncryptionKey(KeyId, Key));

    public static string NewUser() => "user-" + Short();

    private static string Short() => Guid.NewGuid().ToString("N")[..10];

    private static string ApnsToken() => Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();

    public override string ToString() => $"TestDevice {{ {DeviceId} }}";
}
