using System.Buffers.Text;
using System.Text;

namespace Push.Core.StorageQueues;

/// <summary>
/// Message text ↔ body per <see cref="QueueBodyEncoding"/>. Done here rather than by the SDK's encoding option so
/// the relay always holds the exact text a queue had (a dead letter or a retry copy is that text, unchanged).
/// </summary>
public static class QueueMessageCodec
{
    public static bool TryDecode(string text, QueueBodyEncoding encoding, out BinaryData body)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (encoding == QueueBodyEncoding.None)
        {
            body = BinaryData.FromString(text);
            return true;
        }
        var bytes = new byte[Base64.GetMaxDecodedFromUtf8Length(Encoding.UTF8.GetByteCount(text))];
        if (Convert.TryFromBase64String(text, bytes, out var written))
        {
            body = new BinaryData(bytes.AsMemory(0, written));
            return true;
        }
        body = BinaryData.Empty;
        return false;
    }

    public static string Encode(ReadOnlySpan<byte> body, QueueBodyEncoding encoding) =>
        encoding == QueueBodyEncoding.Base64 ? Convert.ToBase64String(body) : Encoding.UTF8.GetString(body);
}
