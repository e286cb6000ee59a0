namespace Push.Core.Events;

/// <summary>The device's payload key as the device registered it: 32 random bytes and the id it knows them by.</summary>
public sealed record DeviceEncryptionKey(string Id, byte[] Key)
{
    public const int KeyBytes = 32;

    public override string ToString() => $"DeviceEncryptionKey {{ Id = {Id} }}";
}
