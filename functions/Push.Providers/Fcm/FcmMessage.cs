namespace Push.Providers.Fcm;

public enum FcmAndroidPriority
{
    Normal,
    High,
}

/// <summary>
/// One FCM HTTP v1 data message to one registration token. All data values are strings, as FCM requires.
/// </summary>
/// <param name="TimeToLive">Serialised as <c>android.ttl</c> in seconds with an <c>s</c> suffix (e.g. "28s"); null leaves FCM's default.</param>
public sealed record FcmMessage(
    string Token,
    IReadOnlyDictionary<string, string> Data,
    FcmAndroidPriority Priority,
    TimeSpan? TimeToLive,
    string? CollapseKey)
{
    /// <summary>FCM's payload limit for a data message.</summary>
    public const int MaxDataBytes = 4096;

    /// <summary>
    /// The size FCM counts against <see cref="MaxDataBytes"/>: the UTF-8 bytes of every data key and value.
    /// </summary>
    public static int DataSize(IReadOnlyDictionary<string, string> data)
    {
        var size = 0;
        foreach (var (key, value) in data)
        {
            size += System.Text.Encoding.UTF8.GetByteCount(key) + System.Text.Encoding.UTF8.GetByteCount(value);
        }
        return size;
    }
}
