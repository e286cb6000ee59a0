namespace Push.Providers.Fcm;

/// <summary>An OAuth2 access token for FCM and when it expires.</summary>
public sealed record FcmAccessToken(string AccessToken, DateTimeOffset ExpiresAt)
{
    /// <summary>Never prints the token: only a short hash of it.</summary>
    public override string ToString() => $"FcmAccessToken {{ Hash = {TokenHash.Of(AccessToken)}, ExpiresAt = {ExpiresAt:O} }}";
}
