using System.Security.Cryptography;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Push.Core.Registry;
using Push.Testing;
using static Push.Core.Tests.Registry.RegistryTestSupport;

namespace Push.Core.Tests.Registry;

/// <summary>DeviceKeyRewrap: after a KEK rotation, every device key moves to the current KEK, so the earlier one can go.</summary>
[Collection(RegistryStorageCollection.Name)]
public sealed class DeviceKeyRewrapTests : IDisposable
{
    private readonly AzuriteFixture _azurite;
    private readonly string _table = AzuriteFixture.UniqueName("devices");
    private readonly byte[] _kek1 = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _kek2 = RandomNumberGenerator.GetBytes(32);
    private readonly AesGcmDeviceKeyProtector _before;
    private readonly AesGcmDeviceKeyProtector _rotated;
    private readonly AesGcmDeviceKeyProtector _afterRetirement;
    private readonly CancellationToken _ct = CancellationToken.None;

    public DeviceKeyRewrapTests(AzuriteFixture azurite)
    {
        _azurite = azurite;
        _before = new AesGcmDeviceKeyProtector(Options.Create(KekOptions("kek1", _kek1)));
        var rotated = KekOptions("kek2", _kek2);
        rotated.PreviousKeyEncryptionKeys["kek1"] = Convert.ToBase64String(_kek1);
        _rotated = new AesGcmDeviceKeyProtector(Options.Create(rotated));
        _afterRetirement = new AesGcmDeviceKeyProtector(Options.Create(KekOptions("kek2", _kek2)));
    }

    public void Dispose()
    {
        _before.Dispose();
        _rotated.Dispose();
        _afterRetirement.Dispose();
    }

    [Fact]
    public async Task Every_key_on_the_earlier_kek_moves_to_the_current_one_and_the_registration_is_untouched()
    {
        var registry = NewRegistry(_azurite.ConnectionString, _table, _before);
        var keys = new Dictionary<string, byte[]>();
        var registrations = new List<DeviceRegistration>();
        for (var i = 0; i < 30; i++)
        {
            keys["phone-" + i] = RandomNumberGenerator.GetBytes(32);
            var registration = i % 2 == 0
                ? Android("user-" + (i % 7), "phone-" + i, Token(), T0.AddSeconds(i), keys["phone-" + i])
                : Ios("user-" + (i % 7), "phone-" + i, Token(), Token(), T0.AddSeconds(i), keys["phone-" + i]);
            registrations.Add(registration);
            await registry.RegisterAsync(registration, _ct);
        }

        var report = await Rewrap(_rotated).RunAsync(_ct);

        Assert.Equal((30, 0, 0, true), (report.Rewrapped, report.ChangedMeanwhile, report.Unreadable.Count, report.Finished));
        Assert.True(report.EarlierKeksCanBeRetired);
        // With kek1 gone from configuration, every device still opens, with its own key, and kept its registration.
        var retired = NewRegistry(_azurite.ConnectionString, _table, _afterRetirement);
        foreach (var registration in registrations)
        {
            var device = Assert.Single(await retired.GetDevicesAsync(registration.UserId, _ct), d => d.DeviceId == registration.DeviceId);
            Assert.Equal("kek2", device.WrappedKey.KekId);
            var key = new byte[32];
            _afterRetirement.Unwrap(device.WrappedKey, key);
            Assert.Equal(keys[registration.DeviceId], key);
            Assert.Equal((registration.PushToken, registration.VoipToken, registration.RegisteredAt), (device.PushToken, device.VoipToken, device.RegisteredAt));
        }

        var again = await Rewrap(_rotated).RunAsync(_ct);
        Assert.Equal(0, again.Rewrapped);
        Assert.True(again.EarlierKeksCanBeRetired);
    }

    [Fact]
    public async Task A_key_on_a_kek_that_is_not_configured_is_reported_and_the_others_still_move()
    {
        await NewRegistry(_azurite.ConnectionString, _table, _before).RegisterAsync(Android("u", "on-kek1", Token(), T0), _ct);
        using var lost = new AesGcmDeviceKeyProtector(Options.Create(KekOptions("kek0")));
        await NewRegistry(_azurite.ConnectionString, _table, lost).RegisterAsync(Android("u", "on-kek0", Token(), T0), _ct);

        var report = await Rewrap(_rotated).RunAsync(_ct);

        Assert.Equal(1, report.Rewrapped);
        Assert.Equal(new Dictionary<string, int> { ["kek0"] = 1 }, report.Unreadable);
        Assert.False(report.EarlierKeksCanBeRetired);
        var devices = await NewRegistry(_azurite.ConnectionString, _table, _rotated).GetDevicesAsync("u", _ct);
        Assert.Equal(["kek0", "kek2"], devices.Select(d => d.WrappedKey.KekId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_device_registered_again_between_the_read_and_the_write_keeps_its_new_registration()
    {
        await NewRegistry(_azurite.ConnectionString, _table, _before).RegisterAsync(Android("u", "p", Token(), T0), _ct);
        var newToken = Token();
        var newKey = RandomNumberGenerator.GetBytes(32);
        var race = new RaceBeforeFirstEntityWrite();
        race.Arm(() => NewRegistry(_azurite.ConnectionString, _table, _rotated).RegisterAsync(Android("u", "p", newToken, T0.AddMinutes(1), newKey), _ct));

        var report = await Rewrap(_rotated, race).RunAsync(_ct);

        Assert.True(race.Ran);
        Assert.Equal((0, 1), (report.Rewrapped, report.ChangedMeanwhile));
        Assert.False(report.EarlierKeksCanBeRetired);
        var device = Assert.Single(await NewRegistry(_azurite.ConnectionString, _table, _afterRetirement).GetDevicesAsync("u", _ct));
        Assert.Equal(newToken, device.PushToken);
        var key = new byte[32];
        _afterRetirement.Unwrap(device.WrappedKey, key);
        Assert.Equal(newKey, key);
        // The next run finds nothing left on kek1.
        Assert.True((await Rewrap(_rotated).RunAsync(_ct)).EarlierKeksCanBeRetired);
    }

    [Fact]
    public async Task With_no_earlier_kek_configured_a_run_does_not_read_the_table()
    {
        // An account nothing listens on, with no retries: a read would fail the run.
        var nowhere = new TableServiceClient(new Uri($"http://127.0.0.1:{FreePorts.Next()}/devstoreaccount1"),
            new TableSharedKeyCredential("devstoreaccount1", Convert.ToBase64String(new byte[64])),
            new TableClientOptions { Retry = { MaxRetries = 0, NetworkTimeout = TimeSpan.FromSeconds(2) } });
        var rewrap = new DeviceKeyRewrap(nowhere, _afterRetirement, Options.Create(new DeviceRegistryOptions { DevicesTable = _table }),
            TimeProvider.System, NullLogger<DeviceKeyRewrap>.Instance);

        var report = await rewrap.RunAsync(_ct);

        Assert.Equal((0, true, false), (report.Rewrapped, report.Finished, report.EarlierKeksCanBeRetired));
    }

    private DeviceKeyRewrap Rewrap(AesGcmDeviceKeyProtector protector, RaceBeforeFirstEntityWrite? race = null) =>
        new(new TableServiceClient(_azurite.ConnectionString, WithPolicy(race)), protector,
            Options.Create(new DeviceRegistryOptions { DevicesTable = _table }), TimeProvider.System, NullLogger<DeviceKeyRewrap>.Instance);
}
