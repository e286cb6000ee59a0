using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Text.Json;
using Azure.Core;

namespace Push.Testing.ServiceBus;

/// <summary>
/// A <see cref="TokenCredential"/> standing in for a managed identity: it returns one fixed JWT-shaped token
/// (base64url header.payload.signature) with the given audience and an expiry. The signature segment is not a
/// signature; the emulator checks shape, audience and expiry only. It records the scopes it was asked for.
/// </summary>
public sealed class TestTokenCredential : TokenCredential
{
    private readonly AccessToken _token;
    private readonly ConcurrentQueue<string[]> _requestedScopes = new();

    /// <param name="audience">The token's <c>aud</c>; Entra ID writes <c>https://servicebus.azure.net</c> for Service Bus.</param>
    /// <param name="lifetime">Until the token's <c>exp</c>; one hour by default.</param>
    public TestTokenCredential(string audience = "https://servicebus.azure.net", TimeSpan? lifetime = null)
    {
        var expiresOn = DateTimeOffset.UtcNow + (lifetime ?? TimeSpan.FromHours(1));
        var header = new { alg = "RS256", typ = "JWT" };
        var payload = new
        {
            aud = audience,
            iss = "https://sts.windows.net/00000000-0000-0000-0000-000000000000/",
            oid = "11111111-1111-1111-1111-111111111111",
            exp = expiresOn.ToUnixTimeSeconds(),
        };
        var jwt = $"{Segment(JsonSerializer.SerializeToUtf8Bytes(header))}.{Segment(JsonSerializer.SerializeToUtf8Bytes(payload))}.{Segment("not-signed"u8.ToArray())}";
        _token = new AccessToken(jwt, expiresOn);
    }

    /// <summary>The scopes of every token request, in order.</summary>
    public IReadOnlyList<string[]> RequestedScopes => _requestedScopes.ToArray();

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        _requestedScopes.Enqueue(requestContext.Scopes);
        return _token;
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        new(GetToken(requestContext, cancellationToken));

    private static string Segment(byte[] bytes) => Base64Url.EncodeToString(bytes);
}
