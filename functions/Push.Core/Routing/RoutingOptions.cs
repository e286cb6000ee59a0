namespace Push.Core.Routing;

/// <summary>Configuration section <c>Routing</c>.</summary>
public sealed class RoutingOptions
{
    public const string SectionName = "Routing";
    public const int MinConversationHashKeyBytes = 32;

    /// <summary>
    /// Base64 of at least 32 random bytes: the HMAC key for APNs <c>thread-id</c>, FCM <c>collapse_key</c> and
    /// APNs <c>apns-collapse-id</c>, which group pushes by conversation or call without revealing its id.
    /// Changing it regroups notifications once; it is a secret only in that it keeps conversation ids unguessable.
    /// </summary>
    public string ConversationHashKey { get; set; } = "";

    /// <summary>How long a message or call-ended push may wait at APNs/FCM for an offline device. Default one day.</summary>
    public TimeSpan MessageTimeToLive { get; set; } = TimeSpan.FromDays(1);

    internal byte[]? TryDecodeHashKey()
    {
        var buffer = new byte[ConversationHashKey.Length];
        return Convert.TryFromBase64String(ConversationHashKey, buffer, out var written) && written >= MinConversationHashKeyBytes
            ? buffer[..written]
            : null;
    }
}
