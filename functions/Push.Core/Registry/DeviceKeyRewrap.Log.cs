using Microsoft.Extensions.Logging;

namespace Push.Core.Registry;

public sealed partial class DeviceKeyRewrap
{
    [LoggerMessage(EventId = 3150, Level = LogLevel.Debug,
        Message = "No earlier key-encryption key is configured (Registry:PreviousKeyEncryptionKeys); every device key is wrapped with '{CurrentKekId}' or unreadable, so there is nothing to re-wrap")]
    private partial void LogNoPreviousKek(string currentKekId);

    [LoggerMessage(EventId = 3151, Level = LogLevel.Information,
        Message = "Re-wrapped {Rewrapped} device key(s) with key-encryption key '{CurrentKekId}'; {ChangedMeanwhile} changed during the run (left for the next), {Unreadable} unreadable; {Progress}, {Seconds:0.0} s")]
    private partial void LogRun(int rewrapped, string currentKekId, int changedMeanwhile, int unreadable, string progress, double seconds);

    [LoggerMessage(EventId = 3152, Level = LogLevel.Warning,
        Message = "The key of device {DeviceHash} of user {UserHash} cannot be re-wrapped: it is wrapped with key-encryption key '{KekId}', and {Why}. The device cannot receive pushes until it registers again or that KEK is configured in Registry:PreviousKeyEncryptionKeys")]
    private partial void LogUnreadable(string userHash, string deviceHash, string kekId, string why);

    [LoggerMessage(EventId = 3153, Level = LogLevel.Information,
        Message = "No device key is wrapped with the earlier key-encryption key(s) {PreviousKekIds} any more: every one is on '{CurrentKekId}'. They can be removed from Registry:PreviousKeyEncryptionKeys (and their secrets retired)")]
    private partial void LogEarlierKeksUnused(string previousKekIds, string currentKekId);
}
