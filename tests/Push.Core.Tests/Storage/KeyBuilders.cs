using Push.Core.Delivery;
using Push.Core.Events;
using Push.Core.Ledger;
using Push.Core.Registry;
using Push.Core.Storage;

namespace Push.Core.Tests.Storage;

/// <summary>
/// Drives every Table key an accepted event's ids become: the registry's (partition = subject, row = device
/// id) and the ledger's (partition = tracking id, row = device id). A refusal here is an exception the relay
/// would only have met after accepting the event.
/// </summary>
internal static class KeyBuilders
{
    /// <summary>Table storage's DateTime range starts at 1601-01-01 UTC.</summary>
    private static readonly DateTimeOffset EarliestTableTime = new(1601, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static void AssertAccepted(PushEvent evt)
    {
        TableKeys.Validate(evt.Subject, "subject");
        foreach (var deviceId in DeviceIds(evt).Append(LedgerEntry.NoDevicesRowKey))
        {
            TableKeys.Validate(deviceId, "deviceId");
            var row = LedgerTableEntity.From(new LedgerEntry(evt.TrackingId, deviceId, evt.Type, DeliveryStatus.Pending, "apns",
                null, Guid.Empty, null, 1, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch));
            // Accepted ids need no escaping: the keys are the ids themselves, and valid keys.
            Assert.Equal(evt.TrackingId, row.PartitionKey);
            Assert.Equal(deviceId, row.RowKey);
            TableKeys.Validate(row.PartitionKey, "ledger partition");
        }
        if (evt.Data is DeviceRegisteredData registered)
        {
            var registration = DeviceEventHandler.ToRegistration(evt, registered);
            var entity = DeviceEntity.From(registration, new WrappedDeviceKey(registered.EncryptionKey.Id, "kek", new byte[60]));
            Assert.Equal((evt.Subject, registered.DeviceId), (entity.PartitionKey, entity.RowKey));
            Assert.True(entity.RegisteredAt >= EarliestTableTime, "the registration time is before what Table storage holds");
        }
    }

    public static IEnumerable<string> DeviceIds(PushEvent evt) => evt.Data switch
    {
        DeviceRegisteredData registered => [registered.DeviceId],
        DeviceUnregisteredData unregistered => [unregistered.DeviceId],
        CallIncomingData { Devices: { } devices } => devices,
        _ => [],
    };
}
