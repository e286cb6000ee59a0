namespace Push.Providers.Apns;

/// <summary>
/// One APNs request. <see cref="ApnsId"/> is chosen once by the caller and kept across retries so
/// APNs (and the ledger) can recognise a resend.
/// </summary>
/// <param name="DeviceToken">64 hex characters (the VoIP token for VoIP pushes).</param>
/// <param name="Topic">The full <c>apns-topic</c>: the bundle id, plus <c>.voip</c> for VoIP pushes.</param>
/// <param name="Priority">10 (immediate) or 5 (power-aware).</param>
/// <param name="Expiration">When APNs may stop trying; null sends <c>apns-expiration: 0</c> (now or never).</param>
/// <param name="Payload">The UTF-8 JSON body, at most 4096 bytes (5120 for VoIP).</param>
public sealed record ApnsNotification(
    string DeviceToken,
    ApnsPushType PushType,
    string Topic,
    int Priority,
    DateTimeOffset? Expiration,
    string? CollapseId,
    Guid ApnsId,
    ReadOnlyMemory<byte> Payload)
{
    /// <summary>APNs' payload limits: 4096 bytes, 5120 for VoIP.</summary>
    public static int MaxPayloadBytes(ApnsPushType pushType) => pushType == ApnsPushType.Voip ? 5120 : 4096;
}
