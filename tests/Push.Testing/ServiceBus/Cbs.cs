using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Amqp;
using Amqp.Framing;

namespace Push.Testing.ServiceBus;

/// <summary>
/// The <c>$cbs</c> node: <c>put-token</c> for shared access signatures and JWTs, answered as Service Bus answers it
/// (application properties <c>status-code</c> / <c>status-description</c>, unlike <c>$management</c>'s camelCase).
/// A valid token grants its audience's entity path to the connection; entity links attach only under a grant.
/// </summary>
internal sealed class CbsNode(Broker broker) : IRequestNode
{
    public const string Address = "$cbs";
    public const string SasTokenType = "servicebus.windows.net:sastoken";
    public const string JwtTokenType = "jwt";

    /// <summary>The audience Entra ID writes into tokens for the scope the SDK asks for (<c>https://servicebus.azure.net/.default</c>).</summary>
    public const string EntraAudience = "https://servicebus.azure.net";

    public Message Handle(EmulatorConnection connection, Message request)
    {
        var properties = request.ApplicationProperties;
        var type = properties?["type"] as string;
        var audience = properties?["name"] as string;
        if (properties?["operation"] as string != "put-token" || type is null || audience is null || request.Body is not string token)
            return Reply(400, "Expected operation put-token with type, name and a string token.");

        var now = broker.Time.GetUtcNow();
        var verdict = Check(type, token, audience, now);
        broker.Record(new PutTokenRecord(type, audience, verdict.ExpiresAt, verdict.Refusal is null, verdict.Refusal, Fingerprint(token), now));
        if (verdict.Refusal is not null) return Reply(verdict.Status, verdict.Refusal);

        connection.Grants.Add(verdict.EntityPath!, verdict.ExpiresAt!.Value);
        return Reply(202, "Accepted");
    }

    private Verdict Check(string type, string token, string audience, DateTimeOffset now)
    {
        if (!TryEntityPath(audience, out var entityPath))
            return Verdict.Refuse(401, "InvalidAudience: the token's name is not a resource of this namespace.");
        return type switch
        {
            SasTokenType => CheckSharedAccessSignature(token, entityPath, now),
            JwtTokenType => CheckJwt(token, entityPath, now),
            _ => Verdict.Refuse(400, "Unsupported token type."),
        };
    }

    // SharedAccessSignature sr=<url-encoded resource>&sig=<url-encoded base64 HMAC>&se=<unix expiry>&skn=<rule name>;
    // the HMAC-SHA256 (key: the rule's key as UTF-8) covers "<sr as written>\n<se as written>".
    private Verdict CheckSharedAccessSignature(string token, string entityPath, DateTimeOffset now)
    {
        const string prefix = "SharedAccessSignature ";
        if (!token.StartsWith(prefix, StringComparison.Ordinal)) return Verdict.Refuse(401, "InvalidToken: not a shared access signature.");
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in token[prefix.Length..].Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=');
            if (equals > 0) fields[pair[..equals].Trim()] = pair[(equals + 1)..].Trim();
        }

        if (!fields.TryGetValue("sr", out var resource) || !fields.TryGetValue("sig", out var signature)
            || !fields.TryGetValue("se", out var expiry) || !fields.TryGetValue("skn", out var keyName)
            || !long.TryParse(expiry, out var expirySeconds))
            return Verdict.Refuse(401, "InvalidToken: a shared access signature needs sr, sig, se and skn.");
        if (WebUtility.UrlDecode(keyName) != broker.Options.SharedAccessKeyName)
            return Verdict.Refuse(401, "InvalidSignature: unknown shared access key name.");

        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(broker.SharedAccessKey), Encoding.UTF8.GetBytes(resource + "\n" + expiry));
        if (!TryBase64(WebUtility.UrlDecode(signature), out var presented) || !CryptographicOperations.FixedTimeEquals(expected, presented))
            return Verdict.Refuse(401, "InvalidSignature: the token has an invalid signature.");

        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(expirySeconds);
        if (expiresAt <= now) return Verdict.Refuse(401, "ExpiredToken: the token is expired.");
        if (!TryEntityPath(WebUtility.UrlDecode(resource), out var signedPath) || !CbsGrants.Covers(signedPath, entityPath))
            return Verdict.Refuse(401, "InvalidAudience: the signature's resource does not cover the requested name.");
        return Verdict.Grant(entityPath, expiresAt);
    }

    // The signature is not verified (there is no key to verify it with here); shape, audience and expiry are.
    private static Verdict CheckJwt(string token, string entityPath, DateTimeOffset now)
    {
        var parts = token.Split('.');
        if (parts.Length != 3 || parts.Any(string.IsNullOrEmpty)) return Verdict.Refuse(401, "InvalidToken: not a JWT.");
        try
        {
            using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
            using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            if (!header.RootElement.TryGetProperty("alg", out _)) return Verdict.Refuse(401, "InvalidToken: the JWT header has no alg.");
            var claims = payload.RootElement;
            if (!claims.TryGetProperty("aud", out var aud) || !AudienceIsServiceBus(aud))
                return Verdict.Refuse(401, "InvalidAudience: the JWT is not for " + EntraAudience + ".");
            if (!claims.TryGetProperty("exp", out var exp) || !exp.TryGetInt64(out var expSeconds))
                return Verdict.Refuse(401, "InvalidToken: the JWT has no exp.");
            var expiresAt = DateTimeOffset.FromUnixTimeSeconds(expSeconds);
            if (expiresAt <= now) return Verdict.Refuse(401, "ExpiredToken: the token is expired.");
            return Verdict.Grant(entityPath, expiresAt);
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return Verdict.Refuse(401, "InvalidToken: the JWT is not base64url JSON.");
        }
    }

    private static bool AudienceIsServiceBus(JsonElement aud)
    {
        static bool Matches(JsonElement value) => value.ValueKind == JsonValueKind.String && value.GetString()!.TrimEnd('/') == EntraAudience;
        return aud.ValueKind == JsonValueKind.Array ? aud.EnumerateArray().Any(Matches) : Matches(aud);
    }

    /// <summary>
    /// The entity path a token's name (or a signature's resource) denotes, if it names this namespace. The scheme is
    /// not compared: the SDK signs <c>amqps://</c> resources but asks for <c>amqp://</c> audiences on a plain connection.
    /// </summary>
    private bool TryEntityPath(string uriText, out string entityPath)
    {
        entityPath = "";
        if (!Uri.TryCreate(uriText, UriKind.Absolute, out var uri) || !broker.AnswersTo(uri.Host)) return false;
        entityPath = EntityAddress.Normalize(Uri.UnescapeDataString(uri.AbsolutePath));
        return true;
    }

    private static bool TryBase64(string text, out byte[] bytes)
    {
        bytes = new byte[text.Length];
        if (!Convert.TryFromBase64String(text, bytes, out var written)) return false;
        bytes = bytes[..written];
        return true;
    }

    private static string Fingerprint(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)))[..12];

    private static Message Reply(int status, string description) => new()
    {
        ApplicationProperties = new ApplicationProperties { ["status-code"] = status, ["status-description"] = description },
    };

    private readonly record struct Verdict(int Status, string? Refusal, string? EntityPath, DateTimeOffset? ExpiresAt)
    {
        public static Verdict Grant(string entityPath, DateTimeOffset expiresAt) => new(202, null, entityPath, expiresAt);

        public static Verdict Refuse(int status, string refusal) => new(status, refusal, null, null);
    }
}

/// <summary>The entity paths a connection's valid tokens cover, each until its token expires.</summary>
internal sealed class CbsGrants(TimeProvider time)
{
    private readonly List<(string Path, DateTimeOffset ExpiresAt)> _grants = [];

    public void Add(string entityPath, DateTimeOffset expiresAt)
    {
        lock (_grants) _grants.Add((entityPath, expiresAt));
    }

    /// <summary>Whether an unexpired token covers the entity path (a namespace token covers every entity).</summary>
    public bool Allow(string entityPath)
    {
        var now = time.GetUtcNow();
        lock (_grants) return _grants.Any(g => g.ExpiresAt > now && Covers(g.Path, entityPath));
    }

    /// <summary>Whether a grant for <paramref name="granted"/> covers <paramref name="requested"/>: itself and its sub-paths.</summary>
    public static bool Covers(string granted, string requested) =>
        granted.Length == 0
        || requested.Equals(granted, StringComparison.OrdinalIgnoreCase)
        || requested.StartsWith(granted + "/", StringComparison.OrdinalIgnoreCase);
}
