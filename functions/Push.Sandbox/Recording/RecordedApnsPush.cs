using System.Text;

namespace Push.Sandbox;

/// <summary>A push the APNs stand-in accepted (status 200).</summary>
/// <param name="PushType">The apns-push-type header as sent; empty when the client omitted it.</param>
/// <param name="Priority">apns-priority; 10 when omitted (Apple's default).</param>
/// <param name="Expiration">apns-expiration; 0 when omitted (see <paramref name="Headers"/> to tell the two apart).</param>
/// <param name="Headers">Every request header except authorization (the provider token is a secret).</param>
public sealed record RecordedApnsPush(
    string DeviceToken,
    string PushType,
    string Topic,
    int Priority,
    long Expiration,
    string? CollapseId,
    string ApnsId,
    string TeamId,
    string KeyId,
    byte[] Body,
    DateTimeOffset ReceivedAt,
    IReadOnlyDictionary<string, string> Headers)
{
    public string BodyText => Encoding.UTF8.GetString(Body);
}
