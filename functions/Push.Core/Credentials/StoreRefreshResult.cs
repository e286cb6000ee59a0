namespace Push.Core.Credentials;

/// <summary>What <see cref="ProviderTokenStore.RefreshAsync"/> settled on, and whether this caller's mint is the one stored.</summary>
public sealed record StoreRefreshResult(StoredProviderToken Token, bool MintedHere);
