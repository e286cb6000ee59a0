namespace Push.Sandbox;

/// <summary>Where the generated development credentials were written, and the ids a client needs with them.</summary>
public sealed record SandboxCredentials(
    string TeamId,
    string KeyId,
    string ApnsKeyPath,
    IReadOnlyList<string> BundleIds,
    string ServiceAccountPath,
    string ProjectId,
    string ClientEmail);
