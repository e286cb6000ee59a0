using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Push.Sandbox.Security;

/// <summary>
/// Development credentials shaped like the real ones: an APNs .p8 (PKCS#8 P-256, as Apple issues it) and
/// a Google service-account JSON whose token_uri points at the sandbox. Generated at run time into the
/// (git-ignored) state directory; reused on the next start so a developer's configuration stays valid.
/// </summary>
internal static class CredentialFiles
{
    public const string ApnsKeyFile = "apns-auth-key.p8";
    public const string ServiceAccountFile = "fcm-service-account.json";
    public const string DefaultBundleId = "com.example.pushrelay";
    private const string IdsFile = "credential-ids.json";

    public sealed record Loaded(SandboxCredentials Credentials, ECDsa ApnsPublicKey, RSA ServiceAccountPublicKey, string PrivateKeyId);

    public static Loaded LoadOrCreate(string directory, Uri tokenUri)
    {
        var loaded = TryLoad(directory, tokenUri);
        return loaded ?? Create(directory, tokenUri);
    }

    private static Loaded? TryLoad(string directory, Uri tokenUri)
    {
        var keyPath = Path.Combine(directory, ApnsKeyFile);
        var accountPath = Path.Combine(directory, ServiceAccountFile);
        var idsPath = Path.Combine(directory, IdsFile);
        if (!File.Exists(keyPath) || !File.Exists(accountPath) || !File.Exists(idsPath)) return null;
        try
        {
            // Kept from an older run, perhaps one that left them readable.
            OwnerOnlyFiles.Restrict(keyPath);
            OwnerOnlyFiles.Restrict(accountPath);
            var ids = JsonNode.Parse(File.ReadAllText(idsPath))!;
            var teamId = (string)ids["teamId"]!;
            var keyId = (string)ids["keyId"]!;
            var bundleIds = ids["bundleIds"]!.AsArray().Select(n => (string)n!).ToArray();

            using var apnsPrivate = ECDsa.Create();
            apnsPrivate.ImportFromPem(File.ReadAllText(keyPath));
            var apnsPublic = ECDsa.Create(apnsPrivate.ExportParameters(includePrivateParameters: false));

            var account = JsonNode.Parse(File.ReadAllText(accountPath))!.AsObject();
            using var rsaPrivate = RSA.Create();
            rsaPrivate.ImportFromPem((string)account["private_key"]!);
            var rsaPublic = RSA.Create(rsaPrivate.ExportParameters(includePrivateParameters: false));
            // The port may differ from the last run: keep token_uri pointing at this sandbox.
            if ((string?)account["token_uri"] != tokenUri.ToString())
            {
                account["token_uri"] = tokenUri.ToString();
                OwnerOnlyFiles.Write(accountPath, account.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            }
            var credentials = new SandboxCredentials(teamId, keyId, keyPath, bundleIds, accountPath,
                (string)account["project_id"]!, (string)account["client_email"]!);
            return new Loaded(credentials, apnsPublic, rsaPublic, (string)account["private_key_id"]!);
        }
        catch (Exception ex) when (ex is JsonException or CryptographicException or ArgumentException or InvalidOperationException or NullReferenceException or FormatException)
        {
            return null; // unreadable leftovers: make fresh ones rather than refuse to start
        }
    }

    private static Loaded Create(string directory, Uri tokenUri)
    {
        var teamId = RandomId(10);
        var keyId = RandomId(10);
        string[] bundleIds = [DefaultBundleId];
        var projectId = "push-sandbox-" + RandomNumberGenerator.GetHexString(6, lowercase: true);
        var clientEmail = $"push-relay@{projectId}.iam.gserviceaccount.com";
        var privateKeyId = RandomNumberGenerator.GetHexString(40, lowercase: true);

        using var apnsPrivate = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var keyPath = Path.Combine(directory, ApnsKeyFile);
        OwnerOnlyFiles.Write(keyPath, apnsPrivate.ExportPkcs8PrivateKeyPem() + "\n");

        using var rsaPrivate = RSA.Create(2048);
        var clientId = string.Concat(Enumerable.Range(0, 21).Select(_ => (char)('0' + RandomNumberGenerator.GetInt32(10))));
        var account = new JsonObject
        {
            ["type"] = "service_account",
            ["project_id"] = projectId,
            ["private_key_id"] = privateKeyId,
            ["private_key"] = rsaPrivate.ExportPkcs8PrivateKeyPem() + "\n",
            ["client_email"] = clientEmail,
            ["client_id"] = clientId,
            ["auth_uri"] = "https://accounts.google.com/o/oauth2/auth",
            ["token_uri"] = tokenUri.ToString(),
            ["auth_provider_x509_cert_url"] = "https://www.googleapis.com/oauth2/v1/certs",
            ["client_x509_cert_url"] = "https://www.googleapis.com/robot/v1/metadata/x509/" + Uri.EscapeDataString(clientEmail),
            ["universe_domain"] = "googleapis.com",
        };
        var accountPath = Path.Combine(directory, ServiceAccountFile);
        OwnerOnlyFiles.Write(accountPath, account.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

        var ids = new JsonObject { ["teamId"] = teamId, ["keyId"] = keyId, ["bundleIds"] = new JsonArray([.. bundleIds.Select(b => (JsonNode)b!)]) };
        File.WriteAllText(Path.Combine(directory, IdsFile), ids.ToJsonString());

        var credentials = new SandboxCredentials(teamId, keyId, keyPath, bundleIds, accountPath, projectId, clientEmail);
        return new Loaded(credentials,
            ECDsa.Create(apnsPrivate.ExportParameters(false)),
            RSA.Create(rsaPrivate.ExportParameters(false)),
            privateKeyId);
    }

    /// <summary>Apple's team and key ids: 10 upper-case letters and digits.</summary>
    private static string RandomId(int length) =>
        RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", length);
}
