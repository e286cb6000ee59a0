namespace Push.Core.Credentials;

/// <summary>
/// One stored credential as <c>push tokens status</c> shows it: never the token, only a short hash.
/// <paramref name="TokenHash"/> is "(unreadable)" when the blob does not decrypt under the configured key.
/// </summary>
public sealed record ProviderTokenDescription(
    ProviderTokenKind Kind,
    string Credential,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt,
    string TokenHash,
    bool Readable);
