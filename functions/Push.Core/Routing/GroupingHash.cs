using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Push.Core.Routing;

/// <summary>
/// Keyed hashes that let APNs and FCM group pushes by conversation or call without seeing its id:
/// base64url(HMAC-SHA256(key, "{label}\n{id}")[..16]), 22 characters. The label keeps a conversation
/// and a call with the same id apart.
/// </summary>
internal sealed class GroupingHash(byte[] key)
{
    private const int TruncatedBytes = 16;

    public string Conversation(string conversationId) => Hash("conversation", conversationId);

    public string Call(string callId) => Hash("call", callId);

    private string Hash(string label, string id)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(label + "\n" + id), mac);
        return Base64Url.EncodeToString(mac[..TruncatedBytes]);
    }
}
