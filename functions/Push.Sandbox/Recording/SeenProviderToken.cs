namespace Push.Sandbox;

/// <summary>A distinct APNs provider token (team, key, iat) the sandbox accepted; never the token text.</summary>
public sealed record SeenProviderToken(string TeamId, string KeyId, long IssuedAt, DateTimeOffset FirstSeenAt);
