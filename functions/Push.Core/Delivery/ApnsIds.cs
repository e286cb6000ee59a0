using System.Security.Cryptography;
using System.Text;

namespace Push.Core.Delivery;

/// <summary>
/// The <c>apns-id</c> of one push (one event to one device), derived rather than drawn: a name-based UUID,
/// RFC 9562 version 8 built as its Appendix B.2 shows, from SHA-256 over <see cref="Namespace"/> (16 bytes, network
/// order) and the UTF-8 of <c>trackingId LF deviceId</c>. Every attempt at the same push — a retry, a redelivery,
/// a redelivery after a crash that lost the ledger row — so carries the same <c>apns-id</c>, and APNs' and the
/// app's view of duplicates agrees with ours. docs/ENVELOPE.md gives the recipe and a test vector.
/// </summary>
/// <remarks>The parser guarantees neither id holds a line feed, so the name is unambiguous.</remarks>
public static class ApnsIds
{
    /// <summary>This relay's namespace for apns-ids: fixed forever, or every id changes.</summary>
    public static readonly Guid Namespace = new("ecf6a6ca-de41-4361-94c9-1e6dce101148");

    public static Guid For(string trackingId, string deviceId)
    {
        ArgumentException.ThrowIfNullOrEmpty(trackingId);
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        var name = Encoding.UTF8.GetBytes(trackingId + "\n" + deviceId);
        var input = new byte[16 + name.Length];
        Namespace.TryWriteBytes(input, bigEndian: true, out _);
        name.CopyTo(input, 16);

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(input, hash);
        var uuid = hash[..16];
        uuid[6] = (byte)((uuid[6] & 0x0F) | 0x80); // version 8
        uuid[8] = (byte)((uuid[8] & 0x3F) | 0x80); // variant 10 (RFC 9562)
        return new Guid(uuid, bigEndian: true);
    }
}
