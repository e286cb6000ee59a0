namespace Push.Core.Registry;

/// <summary>Who has which devices. Backed by Azure Table storage (partition = user id, row = device id).</summary>
public interface IDeviceRegistry
{
    /// <summary>Idempotent. A registration whose <c>RegisteredAt</c> is newer than the stored one replaces it.</summary>
    Task<RegistrationOutcome> RegisterAsync(DeviceRegistration registration, CancellationToken cancellationToken);

    /// <returns>False when there was nothing to remove (idempotent).</returns>
    Task<bool> UnregisterAsync(string userId, string deviceId, CancellationToken cancellationToken);

    /// <summary>The user's devices for sending (read through a short cache).</summary>
    Task<IReadOnlyList<RegisteredDevice>> GetDevicesAsync(string userId, CancellationToken cancellationToken);

    /// <summary>The user's devices for display: never keys, tokens only hashed.</summary>
    Task<IReadOnlyList<DeviceSummary>> ListAsync(string userId, CancellationToken cancellationToken);

    /// <summary>
    /// Removes <paramref name="token"/> (push or VoIP token) from the device, compare-and-set: only if the
    /// device still holds that same token and was registered before <paramref name="invalidSince"/>
    /// (APNs' 410 timestamp; for FCM, when the rejection came). A device left with no token is deleted.
    /// </summary>
    Task<TokenRemovalOutcome> RemoveTokenAsync(string userId, string deviceId, string token, DateTimeOffset invalidSince, CancellationToken cancellationToken);
}
