namespace Push.Core.Credentials;

/// <summary>A token just minted (APNs) or fetched (FCM), before it is stored.</summary>
public sealed record MintedProviderToken(string Token, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt)
{
    /// <summary>Never prints the token: only a short hash of it.</summary>
    public override string ToString() => $"MintedProviderToken {{ Hash = {Storage.SecretHash.Of(Token)}, IssuedAt = {IssuedAt:O}, ExpiresAt = {ExpiresAt:O} }}";
}
