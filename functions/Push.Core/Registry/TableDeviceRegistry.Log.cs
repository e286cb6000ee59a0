using Microsoft.Extensions.Logging;

namespace Push.Core.Registry;

public sealed partial class TableDeviceRegistry
{
    // User ids, device ids and tokens appear only as SecretHash (first 8 hex of SHA-256); keys never.
    private static partial class Log
    {
        [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Registered device {DeviceHash} of user {UserHash} ({Platform}), push token {PushTokenHash}, VoIP token {VoipTokenHash}")]
        public static partial void Registered(ILogger logger, string userHash, string deviceHash, DevicePlatform platform, string? pushTokenHash, string? voipTokenHash);

        [LoggerMessage(EventId = 3102, Level = LogLevel.Information, Message = "Replaced registration of device {DeviceHash} of user {UserHash}, push token {PushTokenHash}, VoIP token {VoipTokenHash}")]
        public static partial void Replaced(ILogger logger, string userHash, string deviceHash, string? pushTokenHash, string? voipTokenHash);

        [LoggerMessage(EventId = 3103, Level = LogLevel.Information, Message = "Ignored a registration of device {DeviceHash} of user {UserHash} from {RegisteredAt:o}: the stored one is from {StoredRegisteredAt:o}")]
        public static partial void IgnoredStale(ILogger logger, string userHash, string deviceHash, DateTimeOffset registeredAt, DateTimeOffset storedRegisteredAt);

        [LoggerMessage(EventId = 3104, Level = LogLevel.Information, Message = "Unregistered device {DeviceHash} of user {UserHash}")]
        public static partial void Unregistered(ILogger logger, string userHash, string deviceHash);

        [LoggerMessage(EventId = 3105, Level = LogLevel.Information, Message = "Removed {TokenKind} token {TokenHash} of device {DeviceHash} of user {UserHash} (device deleted: {DeviceDeleted})")]
        public static partial void TokenRemoved(ILogger logger, string userHash, string deviceHash, string tokenHash, string tokenKind, bool deviceDeleted);

        [LoggerMessage(EventId = 3106, Level = LogLevel.Information, Message = "Kept token {TokenHash} of device {DeviceHash} of user {UserHash}: {Outcome}")]
        public static partial void TokenKept(ILogger logger, string userHash, string deviceHash, string tokenHash, TokenRemovalOutcome outcome);

        [LoggerMessage(EventId = 3107, Level = LogLevel.Debug, Message = "Device {DeviceHash} of user {UserHash} changed under a conditional write (attempt {Attempt}); deciding again")]
        public static partial void WriteConflict(ILogger logger, string userHash, string deviceHash, int attempt);
    }
}
