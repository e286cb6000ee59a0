using System.Security.Cryptography;
using System.Text.Json;

namespace Push.Providers.Tests.Support;

/// <summary>Keys generated at run time: nothing private is committed.</summary>
internal static class TestKeys
{
    public const string TeamId = "TEAM123456";
    public const string KeyId = "KEY1234567";

    public static string WriteP8(string directory, ECDsa key)
    {
        var path = Path.Combine(directory, $"AuthKey_{KeyId}.p8");
        File.WriteAllText(path, key.ExportPkcs8PrivateKeyPem());
        return path;
    }

    public static string WriteServiceAccount(string directory, RSA key, string clientEmail, string projectId, Uri tokenUri,
        string privateKeyId = "0123456789abcdef", Action<Dictionary<string, string>>? edit = null)
    {
        var fields = new Dictionary<string, string>
        {
            ["type"] = "service_account",
            ["project_id"] = projectId,
            ["private_key_id"] = privateKeyId,
            ["private_key"] = key.ExportPkcs8PrivateKeyPem(),
            ["client_email"] = clientEmail,
            ["client_id"] = "1234567890",
            ["auth_uri"] = "https://accounts.google.com/o/oauth2/auth",
            ["token_uri"] = tokenUri.AbsoluteUri,
        };
        edit?.Invoke(fields);
        var path = Path.Combine(directory, "service-account.json");
        File.WriteAllText(path, JsonSerializer.Serialize(fields));
        return path;
    }
}
