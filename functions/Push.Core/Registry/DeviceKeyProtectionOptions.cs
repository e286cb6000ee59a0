namespace Push.Core.Registry;

/// <summary>
/// The key-encryption key (KEK) that wraps device keys at rest. Bound from the "Registry" section; in
/// Azure the value comes from Key Vault through configuration, never from a file in the repository.
/// </summary>
public sealed class DeviceKeyProtectionOptions
{
    public const string SectionName = "Registry";

    /// <summary>Base64 of 32 random bytes. Required.</summary>
    public string? KeyEncryptionKey { get; set; }

    /// <summary>
    /// A short label (letters, digits, '.', '_', '-'; at most 32) stored with every wrapped key, so that
    /// after a rotation the registry still knows which KEK unwraps an older row. Required.
    /// </summary>
    public string? KeyEncryptionKeyId { get; set; }

    /// <summary>
    /// Earlier KEKs by id (base64 of 32 bytes each), kept during a rotation so rows wrapped under them still
    /// unwrap. New keys are always wrapped with <see cref="KeyEncryptionKey"/>.
    /// </summary>
    public Dictionary<string, string> PreviousKeyEncryptionKeys { get; set; } = new(StringComparer.Ordinal);
}
