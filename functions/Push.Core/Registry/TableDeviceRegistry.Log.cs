using Microsoft.Extensions.Logging;

namespace Push.Core.Registry;

public sealed partial class TableDeviceRegistry
{
    // Tokens appear only as SecretHash (first 8 hex of SHA-256); keys never.
    private static partial class Log
    {
        [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Registered device {DeviceId} of user {UserId} ({Platform}), push token {PushTokenHash}, VoIP token {VoipTokenHash}")]
        public static partial void Registered(ILogger logger, string userId, string deviceId, DevicePlatform platform, string? pushTokenHash, string? voipTokenHash);

        [LoggerMessage(EventId = 3102, Level = LogLevel.Information, Message = "Replaced registration of device {DeviceId} of user {UserId}, push token {PushTokenHash}, VoIP token {VoipTokenHash}")]
        public static partial void Replaced(ILogger logger, string userId, string deviceId, string? pushTokenHash, string? voipTokenHash);

        [LoggerMessage(EventId = 3103, Level = LogLevel.Information, Message = "Ignored a registration of device {DeviceId} of user {UserId} from {RegisteredAt:o}: the stored one is from {StoredRegisteredAt:o}")]
        public static partial void IgnoredStale(ILogger logger, string userId, string deviceId, DateTimeOffset registeredAt, DateTimeOffset storedRegisteredAt);

        [LoggerMessage(EventId = 3104, Level = LogLevel.Information, Message = "Unregistered device {DeviceId} of user {UserId}")]
        public static partial void Unregistered(ILogger logger, string userId, string deviceId);

        [LoggerMessage(EventId = 3105, Level = LogLevel.Information, Message = "Removed {TokenKind} token {TokenHash} of device {DeviceId} of user {UserId} (device deleted: {DeviceDeleted})")]
        public static partial void TokenRemoved(ILogger logger, string userId, string deviceId, string tokenHash, string tokenKind, bool deviceDeleted);

        [LoggerMessage(EventId = 3106, Level = LogLevel.Information, Message = "Kept token {TokenHash} of device {DeviceId} of user {UserId}: {Outcome}")]
        public static partial void TokenKept(ILogger logger, string userId, string deviceId, string tokenHash, TokenRemovalOutcome outcome);

        [LoggerMessage(EventId = 3107, Level = LogLevel.Debug, Message = "Device {DeviceId} of user {UserId} changed under a conditional write (attempt {Attempt}); deciding again")]
        public static partial void WriteConflict(ILogger logger, string userId, string deviceId, int attempt);
    }
}
