namespace Push.Core.Credentials;

/// <summary>What one refresher run did for one provider.</summary>
public enum ProviderTokenRefreshOutcome
{
    /// <summary>The provider has no credential configured.</summary>
    NotConfigured,

    /// <summary>The stored token is not yet due (or another instance replaced it meanwhile).</summary>
    StillFresh,

    /// <summary>This run minted and stored a new token.</summary>
    Refreshed,

    /// <summary>The refresh failed; logged Critical (secret) or Error, and counted in push.tokens.refresh_failed.</summary>
    Failed,
}
