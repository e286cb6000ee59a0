using Azure;

namespace Push.Core.Credentials;

/// <summary>A token as read from (or written to) the store, with the blob ETag it was read at.</summary>
public sealed record StoredProviderToken(ProviderTokenKey Key, string Token, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, ETag ETag)
{
    public TimeSpan AgeAt(DateTimeOffset now) => now - IssuedAt;

    public bool IsExpiredAt(DateTimeOffset now) => now >= ExpiresAt;

    /// <summary>Never prints the token: only a short hash of it.</summary>
    public override string ToString() =>
        $"StoredProviderToken {{ Key = {Key}, Hash = {Storage.SecretHash.Of(Token)}, IssuedAt = {IssuedAt:O}, ExpiresAt = {ExpiresAt:O} }}";
}
