namespace Push.Core.Credentials;

/// <summary>Names one credential's token in the store: <c>tokens/apns/&lt;teamId&gt;-&lt;keyId&gt;</c> or <c>tokens/fcm/&lt;client_email&gt;</c>.</summary>
public sealed record ProviderTokenKey(ProviderTokenKind Kind, string Credential)
{
    public const string Prefix = "tokens/";

    public static ProviderTokenKey Apns(string teamId, string keyId) => new(ProviderTokenKind.Apns, teamId + "-" + keyId);

    public static ProviderTokenKey Fcm(string clientEmail) => new(ProviderTokenKind.Fcm, clientEmail);

    public string KindName => Kind == ProviderTokenKind.Apns ? "apns" : "fcm";

    public string BlobName => Prefix + KindName + "/" + Credential;

    public override string ToString() => BlobName;
}
