using Azure;
using Azure.Data.Tables;

namespace Push.Core.Registry;

/// <summary>
/// A device row: partition = user id, row = device id. Enums are stored as their names so the row reads
/// well in the portal and survives reordering of the enum.
/// </summary>
internal sealed class DeviceEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = string.Empty;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Platform { get; set; } = string.Empty;
    public string AppId { get; set; } = string.Empty;
    public string? PushToken { get; set; }
    public string? VoipToken { get; set; }
    public string Environment { get; set; } = string.Empty;
    public string? Region { get; set; }
    public string KeyId { get; set; } = string.Empty;
    public string KekId { get; set; } = string.Empty;
    public byte[] WrappedKey { get; set; } = [];
    public DateTimeOffset RegisteredAt { get; set; }

    public static DeviceEntity From(DeviceRegistration registration, WrappedDeviceKey wrapped) => new()
    {
        PartitionKey = registration.UserId,
        RowKey = registration.DeviceId,
        Platform = registration.Platform.ToString(),
        AppId = registration.AppId,
        PushToken = registration.PushToken,
        VoipToken = registration.VoipToken,
        Environment = registration.Environment.ToString(),
        Region = registration.Region,
        KeyId = wrapped.KeyId,
        KekId = wrapped.KekId,
        WrappedKey = wrapped.Wrapped,
        RegisteredAt = registration.RegisteredAt.ToUniversalTime(),
    };

    public DevicePlatform ParsedPlatform => ParseEnum<DevicePlatform>(Platform, nameof(Platform));

    public PushEnvironment ParsedEnvironment => ParseEnum<PushEnvironment>(Environment, nameof(Environment));

    public RegisteredDevice ToDevice() => new(
        PartitionKey,
        RowKey,
        ParsedPlatform,
        AppId,
        PushToken,
        VoipToken,
        ParsedEnvironment,
        Region,
        new WrappedDeviceKey(KeyId, KekId, WrappedKey),
        RegisteredAt,
        ETag.ToString());

    public DeviceSummary ToSummary() => new(
        PartitionKey,
        RowKey,
        ParsedPlatform,
        AppId,
        ParsedEnvironment,
        Region,
        KeyId,
        Storage.SecretHash.OfOptional(PushToken),
        Storage.SecretHash.OfOptional(VoipToken),
        RegisteredAt);

    private T ParseEnum<T>(string value, string property) where T : struct, Enum =>
        Enum.TryParse<T>(value, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
            ? parsed
            : throw new InvalidDataException($"Device row {PartitionKey}/{RowKey} has an unknown {property} '{value}'.");
}
