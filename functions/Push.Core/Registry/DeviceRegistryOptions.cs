namespace Push.Core.Registry;

/// <summary>Where devices are stored and how long a user's device list may be served from memory. Section "Registry".</summary>
public sealed class DeviceRegistryOptions
{
    public const string SectionName = "Registry";

    /// <summary>Table name (3-63 letters and digits, starting with a letter). Default "devices".</summary>
    public string DevicesTable { get; set; } = "devices";

    /// <summary>
    /// How long <see cref="IDeviceRegistry.GetDevicesAsync"/> may answer from memory. A registration on
    /// another instance becomes visible here after at most this long; zero turns the cache off. Default 5 s.
    /// </summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(5);
}
