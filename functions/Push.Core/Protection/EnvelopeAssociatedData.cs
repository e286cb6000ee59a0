using System.Text;

namespace Push.Core.Protection;

/// <summary>
/// The AES-GCM associated data: UTF-8 of <c>push-relay/v1\n{type}\n{trackingId}\n{deviceId}</c>, no trailing
/// newline. It binds a ciphertext to its event and device, so a push replayed under another tracking id or to
/// another device fails to decrypt. Tracking and device ids cannot contain a newline (the event contract
/// allows printable ASCII only), so the join is unambiguous.
/// </summary>
public static class EnvelopeAssociatedData
{
    public const string Label = "push-relay/v1";

    public static byte[] Create(string type, string trackingId, string deviceId)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentException.ThrowIfNullOrEmpty(trackingId);
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        if (type.Contains('\n') || trackingId.Contains('\n') || deviceId.Contains('\n'))
        {
            throw new ArgumentException("Envelope type, tracking id and device id must not contain a newline.");
        }
        return Encoding.UTF8.GetBytes($"{Label}\n{type}\n{trackingId}\n{deviceId}");
    }
}
