using System.Security.Cryptography;
using Azure.Data.Tables;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Push.Core.Registry;

namespace Push.Core.Tests.Registry;

internal static class RegistryTestSupport
{
    public static DeviceKeyProtectionOptions KekOptions(string kekId = "kek1", byte[]? kek = null) => new()
    {
        KeyEncryptionKey = Convert.ToBase64String(kek ?? RandomNumberGenerator.GetBytes(32)),
        KeyEncryptionKeyId = kekId,
    };

    public static AesGcmDeviceKeyProtector NewProtector(string kekId = "kek1") => new(Options.Create(KekOptions(kekId)));

    public static TableDeviceRegistry NewRegistry(
        string connectionString,
        string table,
        IDeviceKeyProtector protector,
        TimeProvider? time = null,
        TimeSpan? cacheDuration = null,
        RaceBeforeFirstEntityWrite? race = null) =>
        new(
            new TableServiceClient(connectionString, WithPolicy(race)),
            protector,
            new MemoryCache(new MemoryCacheOptions()),
            Options.Create(new DeviceRegistryOptions { DevicesTable = table, CacheDuration = cacheDuration ?? TimeSpan.Zero }),
            time ?? TimeProvider.System,
            NullLogger<TableDeviceRegistry>.Instance);

    public static TableClientOptions WithPolicy(RaceBeforeFirstEntityWrite? race)
    {
        var options = new TableClientOptions();
        if (race is not null) options.AddPolicy(race, Azure.Core.HttpPipelinePosition.PerCall);
        return options;
    }

    public static DeviceRegistration Android(string userId, string deviceId, string token, DateTimeOffset at, byte[]? key = null) =>
        new(userId, deviceId, DevicePlatform.Android, "com.example.phone", token, null, PushEnvironment.Production, null,
            "key-" + deviceId, key ?? RandomNumberGenerator.GetBytes(32), at);

    public static DeviceRegistration Ios(string userId, string deviceId, string pushToken, string voipToken, DateTimeOffset at, byte[]? key = null) =>
        new(userId, deviceId, DevicePlatform.Ios, "com.example.Phone", pushToken, voipToken, PushEnvironment.Sandbox, "CN",
            "key-" + deviceId, key ?? RandomNumberGenerator.GetBytes(32), at);

    public static string Token() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <summary>A fixed instant with sub-millisecond ticks, to catch precision lost on the way through the table.</summary>
    public static readonly DateTimeOffset T0 = new DateTimeOffset(2025, 3, 4, 10, 20, 30, TimeSpan.Zero).AddTicks(1_234_567);
}
