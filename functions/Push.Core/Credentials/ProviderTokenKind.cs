namespace Push.Core.Credentials;

/// <summary>Which provider a stored token authenticates to.</summary>
public enum ProviderTokenKind
{
    /// <summary>An APNs provider token (ES256 JWT) for one team and key.</summary>
    Apns,

    /// <summary>An FCM OAuth2 access token for one service account.</summary>
    Fcm,
}
