using System.Security.Cryptography;
using System.Text.Json;

namespace Push.Providers.Fcm;

/// <summary>
/// The fields of a Google service-account JSON that FCM needs, and the one parser for it (the start-up check, the
/// provider's own token source and the shared-token fetcher, whose JSON may come from Key Vault). Errors name where
/// the JSON came from and never include the key.
/// </summary>
public sealed class FcmServiceAccount
{
    private const string Setting = "Fcm:ServiceAccountPath";

    private FcmServiceAccount(string clientEmail, string privateKeyPem, string? privateKeyId, Uri tokenUri, string? projectId)
    {
        ClientEmail = clientEmail;
        PrivateKeyPem = privateKeyPem;
        PrivateKeyId = privateKeyId;
        TokenUri = tokenUri;
        ProjectId = projectId;
    }

    public string ClientEmail { get; }

    /// <summary>The RSA key in PEM: secret, never logged or printed.</summary>
    public string PrivateKeyPem { get; }

    public string? PrivateKeyId { get; }

    public Uri TokenUri { get; }

    public string? ProjectId { get; }

    public override string ToString() => $"FcmServiceAccount {{ ClientEmail = {ClientEmail}, ProjectId = {ProjectId}, TokenUri = {TokenUri} }}";

    /// <param name="requireProjectId">False when <c>Fcm:ProjectId</c> overrides the JSON's project.</param>
    public static FcmServiceAccount Load(string path, bool requireProjectId = true)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new InvalidOperationException($"{Setting} is required (the service-account JSON)");
        }
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"{Setting} '{path}' cannot be read: {ex.GetType().Name}");
        }
        return Parse(json, $"{Setting} '{path}'", requireProjectId);
    }

    /// <param name="origin">Where the JSON came from, for the message: a setting and its value, or a Key Vault secret.</param>
    /// <exception cref="InvalidOperationException">Not a usable service account; the message starts with <paramref name="origin"/>.</exception>
    public static FcmServiceAccount Parse(string json, string origin, bool requireProjectId)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            // JsonException messages quote the text around the error, which may be key material.
            throw new InvalidOperationException($"{origin} is not valid JSON");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidOperationException($"{origin} is not a JSON object");
            }
            if (Optional(root, "type") is { } type && type != "service_account")
            {
                throw new InvalidOperationException($"{origin} has type '{type}', expected 'service_account'");
            }
            var clientEmail = Required(root, "client_email", origin);
            var privateKey = Required(root, "private_key", origin);
            var tokenUriText = Required(root, "token_uri", origin);
            var projectId = Optional(root, "project_id");
            if (requireProjectId && string.IsNullOrEmpty(projectId))
            {
                throw new InvalidOperationException($"{origin} is missing 'project_id' (or set Fcm:ProjectId)");
            }
            if (!Uri.TryCreate(tokenUriText, UriKind.Absolute, out var tokenUri) || tokenUri.Scheme != Uri.UriSchemeHttps)
            {
                throw new InvalidOperationException($"{origin} has a 'token_uri' that is not an https:// URI");
            }
            using (var rsa = RSA.Create())
            {
                try
                {
                    rsa.ImportFromPem(privateKey);
                }
                catch (Exception ex) when (ex is ArgumentException or CryptographicException)
                {
                    throw new InvalidOperationException($"{origin} has a 'private_key' that is not a PEM RSA private key");
                }
                if (rsa.KeySize < 2048)
                {
                    throw new InvalidOperationException($"{origin} has a 'private_key' of {rsa.KeySize} bits; Google issues 2048-bit keys");
                }
            }
            return new FcmServiceAccount(clientEmail, privateKey, Optional(root, "private_key_id"), tokenUri, projectId);
        }
    }

    private static string Required(JsonElement root, string name, string origin) =>
        Optional(root, name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{origin} is missing '{name}'");

    private static string? Optional(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
