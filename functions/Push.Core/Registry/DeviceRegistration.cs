namespace Push.Core.Registry;

public enum DevicePlatform
{
    Ios,
    Android,
}

public enum PushEnvironment
{
    Production,
    Sandbox,
}

/// <summary>
/// A registration on its way in (from a <c>push.device.registered</c> event or the CLI). It is the only
/// type that carries a plaintext device key, and only until the registry wraps it.
/// </summary>
/// <param name="RegisteredAt">The event's time: a registration older than the stored one is ignored.</param>
public sealed record DeviceRegistration(
    string UserId,
    string DeviceId,
    DevicePlatform Platform,
    string AppId,
    string PushToken,
    string? VoipToken,
    PushEnvironment Environment,
    string? Region,
    string KeyId,
    byte[] Key,
    DateTimeOffset RegisteredAt)
{
    // Never print the key or tokens, even in a debugger or a failed assertion.
    public override string ToString() => $"DeviceRegistration {{ UserId = {UserId}, DeviceId = {DeviceId}, Platform = {Platform} }}";
}

/// <summary>A device wrapped key as stored: the relay unwraps it only inside the payload cipher.</summary>
public sealed record WrappedDeviceKey(string KeyId, string KekId, byte[] Wrapped)
{
    public override string ToString() => $"WrappedDeviceKey {{ KeyId = {KeyId}, KekId = {KekId} }}";
}

/// <summary>
/// A device as the registry returns it for sending: tokens and the wrapped key, never the plaintext key.
/// </summary>
/// <param name="Version">The stored row's ETag, for compare-and-set when a token is removed.</param>
public sealed record RegisteredDevice(
    string UserId,
    string DeviceId,
    DevicePlatform Platform,
    string AppId,
    string? PushToken,
    string? VoipToken,
    PushEnvironment Environment,
    string? Region,
    WrappedDeviceKey WrappedKey,
    DateTimeOffset RegisteredAt,
    string Version)
{
    public override string ToString() => $"RegisteredDevice {{ UserId = {UserId}, DeviceId = {DeviceId}, Platform = {Platform} }}";
}

/// <summary>What <c>device list</c> shows: no key, tokens only as short hashes.</summary>
public sealed record DeviceSummary(
    string UserId,
    string DeviceId,
    DevicePlatform Platform,
    string AppId,
    PushEnvironment Environment,
    string? Region,
    string KeyId,
    string? PushTokenHash,
    string? VoipTokenHash,
    DateTimeOffset RegisteredAt);

public enum RegistrationOutcome
{
    Created,
    Replaced,
    /// <summary>The same registration was already stored (a redelivered event).</summary>
    Unchanged,
    /// <summary>A newer registration is stored; this older one was ignored.</summary>
    IgnoredAsStale,
}

public enum TokenRemovalOutcome
{
    Removed,
    /// <summary>The token was re-registered (or replaced) after the provider said it was invalid.</summary>
    KeptReRegistered,
    NotFound,
}
