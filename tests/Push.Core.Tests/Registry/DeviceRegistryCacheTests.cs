using Microsoft.Extensions.Time.Testing;
using Push.Core.Registry;
using Push.Testing;
using static Push.Core.Tests.Registry.RegistryTestSupport;

namespace Push.Core.Tests.Registry;

[Collection(RegistryStorageCollection.Name)]
public sealed class DeviceRegistryCacheTests : IDisposable
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(5);
    private readonly AesGcmDeviceKeyProtector _protector = NewProtector();
    private readonly FakeTimeProvider _time = new(T0);
    private readonly TableDeviceRegistry _cached;
    private readonly TableDeviceRegistry _otherInstance;
    private readonly CancellationToken _ct = CancellationToken.None;

    public DeviceRegistryCacheTests(AzuriteFixture azurite)
    {
        var table = AzuriteFixture.UniqueName("devices");
        _cached = NewRegistry(azurite.ConnectionString, table, _protector, _time, Ttl);
        _otherInstance = NewRegistry(azurite.ConnectionString, table, _protector);
    }

    public void Dispose() => _protector.Dispose();

    [Fact]
    public async Task A_change_made_elsewhere_is_seen_after_the_ttl_and_not_later()
    {
        await _otherInstance.RegisterAsync(Android("u1", "p1", Token(), T0), _ct);
        Assert.Single(await _cached.GetDevicesAsync("u1", _ct));

        await _otherInstance.RegisterAsync(Android("u1", "p2", Token(), T0), _ct);
        _time.Advance(Ttl - TimeSpan.FromMilliseconds(1));
        Assert.Single(await _cached.GetDevicesAsync("u1", _ct));

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, (await _cached.GetDevicesAsync("u1", _ct)).Count);
    }

    [Fact]
    public async Task Register_unregister_and_token_removal_on_this_instance_invalidate_at_once()
    {
        var token = Token();
        Assert.Empty(await _cached.GetDevicesAsync("u2", _ct));

        await _cached.RegisterAsync(Android("u2", "p1", token, T0), _ct);
        Assert.Single(await _cached.GetDevicesAsync("u2", _ct));

        await _cached.RegisterAsync(Android("u2", "p2", Token(), T0), _ct);
        Assert.Equal(2, (await _cached.GetDevicesAsync("u2", _ct)).Count);

        await _cached.UnregisterAsync("u2", "p2", _ct);
        Assert.Single(await _cached.GetDevicesAsync("u2", _ct));

        await _cached.RemoveTokenAsync("u2", "p1", token, T0.AddSeconds(1), _ct);
        Assert.Empty(await _cached.GetDevicesAsync("u2", _ct));
    }

    [Fact]
    public async Task Users_are_cached_separately()
    {
        await _otherInstance.RegisterAsync(Android("u3", "p1", Token(), T0), _ct);
        Assert.Empty(await _cached.GetDevicesAsync("u4", _ct));

        await _cached.RegisterAsync(Android("u4", "p1", Token(), T0), _ct);

        Assert.Single(await _cached.GetDevicesAsync("u3", _ct));
        Assert.Single(await _cached.GetDevicesAsync("u4", _ct));
    }
}
