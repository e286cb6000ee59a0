namespace Push.Providers.Apns;

/// <summary>An APNs provider token (ES256 JWT) and when it was issued (its <c>iat</c>).</summary>
public sealed record ApnsProviderToken(string Jwt, DateTimeOffset IssuedAt)
{
    /// <summary>Never prints the JWT: only a short hash of it.</summary>
    public override string ToString() => $"ApnsProviderToken {{ Hash = {TokenHash.Of(Jwt)}, IssuedAt = {IssuedAt:O} }}";
}
