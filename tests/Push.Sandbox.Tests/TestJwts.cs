using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Push.Sandbox.Tests;

/// <summary>JWTs signed in the test, independent of any client library of ours.</summary>
internal static class TestJwts
{
    public static string ApnsProviderToken(ECDsa key, string keyId, string teamId, DateTimeOffset issuedAt, string alg = "ES256")
    {
        var input = Encode(new { alg, kid = keyId }) + "." + Encode(new { iss = teamId, iat = issuedAt.ToUnixTimeSeconds() });
        var signature = key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return input + "." + Base64Url.EncodeToString(signature);
    }

    public static string GoogleAssertion(RSA key, string clientEmail, string audience, DateTimeOffset issuedAt,
        string scope = "https://www.googleapis.com/auth/firebase.messaging", int lifetimeSeconds = 3600, string? keyId = null)
    {
        var header = keyId is null ? Encode(new { alg = "RS256", typ = "JWT" }) : Encode(new { alg = "RS256", typ = "JWT", kid = keyId });
        var claims = Encode(new
        {
            iss = clientEmail,
            scope,
            aud = audience,
            iat = issuedAt.ToUnixTimeSeconds(),
            exp = issuedAt.ToUnixTimeSeconds() + lifetimeSeconds,
        });
        var input = header + "." + claims;
        var signature = key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return input + "." + Base64Url.EncodeToString(signature);
    }

    public static string RandomDeviceToken() => RandomNumberGenerator.GetHexString(64, lowercase: true);

    public static string RandomFcmToken() =>
        "f" + RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", 40) + ":APA91b" +
        RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", 100);

    private static string Encode(object value) => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(value));
}
