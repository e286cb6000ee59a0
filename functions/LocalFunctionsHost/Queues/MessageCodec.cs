using System.Buffers.Text;
using System.Text;
using LocalFunctionsHost.Configuration;

namespace LocalFunctionsHost.Queues;

/// <summary>Message text ↔ body per messageEncoding, done here rather than by the SDK so undecodable text can be poisoned with its bytes intact.</summary>
internal static class MessageCodec
{
    public static bool TryDecode(string text, QueueMessageEncoding encoding, out BinaryData body)
    {
        if (encoding == QueueMessageEncoding.None)
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
}
