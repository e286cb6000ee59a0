using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Push.Hosting.ServiceBus;

/// <summary>Service Bus SAS tokens: HMAC-SHA256 over "&lt;url-encoded resource&gt;\n&lt;expiry&gt;" with the rule's key.</summary>
public static class SharedAccessSignature
{
    /// <summary>The CBS token type of a SAS token.</summary>
    public const string TokenType = "servicebus.windows.net:sastoken";

    /// <summary>
    /// <c>SharedAccessSignature sr=&lt;url-encoded resource&gt;&amp;sig=&lt;url-encoded signature&gt;&amp;se=&lt;unix expiry&gt;&amp;skn=&lt;rule&gt;</c>.
    /// </summary>
    public static string Create(string resourceUri, string keyName, string key, DateTimeOffset expiresOn)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(resourceUri);
        ArgumentException.ThrowIfNullOrWhiteSpace(keyName);
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        var encodedResource = WebUtility.UrlEncode(resourceUri);
        var expiry = expiresOn.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = Sign(encodedResource, expiry, key);
        return "SharedAccessSignature sr=" + encodedResource + "&sig=" + WebUtility.UrlEncode(signature) + "&se=" + expiry
            + "&skn=" + WebUtility.UrlEncode(keyName);
    }

    /// <summary>The base64 HMAC of the string to sign (exposed so a test peer can verify a token).</summary>
    public static string Sign(string encodedResource, string expiry, string key)
    {
        // The key is used as the UTF-8 of its text, not base64-decoded: that is how Service Bus checks it.
        var hash = HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(encodedResource + "\n" + expiry));
        return Convert.ToBase64String(hash);
    }
}
