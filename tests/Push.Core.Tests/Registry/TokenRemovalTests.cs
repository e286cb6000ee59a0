using Push.Core.Registry;
using Push.Testing;
using static Push.Core.Tests.Registry.RegistryTestSupport;

namespace Push.Core.Tests.Registry;

/// <summary>RemoveTokenAsync: the 410 compare-and-set (PROTOCOLS.md).</summary>
[Collection(RegistryStorageCollection.Name)]
public sealed class TokenRemovalTests : IDisposable
{
    private readonly AzuriteFixture _azurite;
    private readonly string _table = AzuriteFixture.UniqueName("devices");
    private readonly AesGcmDeviceKeyProtector _protector = NewProtector();
    private readonly RaceBeforeFirstEntityWrite _race = new();
    private readonly TableDeviceRegistry _registry;
    private readonly CancellationToken _ct = CancellationToken.None;

    public TokenRemovalTests(AzuriteFixture azurite)
    {
        _azurite = azurite;
        _registry = NewRegistry(azurite.ConnectionString, _table, _protector, race: _race);
    }

    public void Dispose() => _protector.Dispose();

    [Fact]
    public async Task The_same_token_registered_before_the_410_is_removed_and_a_tokenless_device_deleted()
    {
        var token = Token();
        await _registry.RegisterAsync(Android("u", "p", token, T0), _ct);

        Assert.Equal(TokenRemovalOutcome.Removed, await _registry.RemoveTokenAsync("u", "p", token, T0.AddMilliseconds(1), _ct));

        Assert.Empty(await _registry.GetDevicesAsync("u", _ct));
    }

    [Fact]
    public async Task A_token_registered_after_the_410_is_kept()
    {
        var token = Token();
        await _registry.RegisterAsync(Android("u", "p", token, T0), _ct);

        Assert.Equal(TokenRemovalOutcome.KeptReRegistered, await _registry.RemoveTokenAsync("u", "p", token, T0.AddSeconds(-1), _ct));
        Assert.Equal(TokenRemovalOutcome.KeptReRegistered, await _registry.RemoveTokenAsync("u", "p", token, T0, _ct));

        Assert.Equal(token, Assert.Single(await _registry.GetDevicesAsync("u", _ct)).PushToken);
    }

    [Fact]
    public async Task A_token_that_was_replaced_is_not_removed()
    {
        var oldToken = Token();
        var newToken = Token();
        await _registry.RegisterAsync(Android("u", "p", oldToken, T0), _ct);
        await _registry.RegisterAsync(Android("u", "p", newToken, T0.AddSeconds(1)), _ct);

        Assert.Equal(TokenRemovalOutcome.KeptReRegistered, await _registry.RemoveTokenAsync("u", "p", oldToken, T0.AddMinutes(5), _ct));

        Assert.Equal(newToken, Assert.Single(await _registry.GetDevicesAsync("u", _ct)).PushToken);
    }

    [Fact]
    public async Task An_unknown_device_is_not_found()
    {
        Assert.Equal(TokenRemovalOutcome.NotFound, await _registry.RemoveTokenAsync("u", "missing", Token(), T0, _ct));
    }

    [Fact]
    public async Task Removing_the_voip_token_keeps_the_device_with_its_push_token_and_then_the_push_token_deletes_it()
    {
        var push = Token();
        var voip = Token();
        await _registry.RegisterAsync(Ios("u", "iphone", push, voip, T0), _ct);

        Assert.Equal(TokenRemovalOutcome.Removed, await _registry.RemoveTokenAsync("u", "iphone", voip, T0.AddSeconds(1), _ct));

        var device = Assert.Single(await _registry.GetDevicesAsync("u", _ct));
        Assert.Equal(push, device.PushToken);
        Assert.Null(device.VoipToken);
        Assert.Equal(DevicePlatform.Ios, device.Platform);

        Assert.Equal(TokenRemovalOutcome.Removed, await _registry.RemoveTokenAsync("u", "iphone", push, T0.AddSeconds(1), _ct));
        Assert.Empty(await _registry.GetDevicesAsync("u", _ct));
    }

    [Fact]
    public async Task Removing_the_push_token_keeps_the_voip_token()
    {
        var push = Token();
        var voip = Token();
        await _registry.RegisterAsync(Ios("u", "iphone", push, voip, T0), _ct);

        Assert.Equal(TokenRemovalOutcome.Removed, await _registry.RemoveTokenAsync("u", "iphone", push, T0.AddSeconds(1), _ct));

        var device = Assert.Single(await _registry.GetDevicesAsync("u", _ct));
        Assert.Null(device.PushToken);
        Assert.Equal(voip, device.VoipToken);
    }

    [Fact]
    public async Task A_re_registration_between_the_read_and_the_write_wins_over_the_removal()
    {
        var other = NewRegistry(_azurite.ConnectionString, _table, _protector);
        var oldToken = Token();
        var newToken = Token();
        await _registry.RegisterAsync(Android("u", "p", oldToken, T0), _ct);
        _race.Arm(async () =>
        {
            await other.RegisterAsync(Android("u", "p", newToken, T0.AddSeconds(30)), _ct);
        });

        var outcome = await _registry.RemoveTokenAsync("u", "p", oldToken, T0.AddSeconds(10), _ct);

        Assert.True(_race.Ran);
        Assert.Equal(TokenRemovalOutcome.KeptReRegistered, outcome);
        Assert.Equal(newToken, Assert.Single(await _registry.GetDevicesAsync("u", _ct)).PushToken);
    }

    [Fact]
    public async Task A_voip_re_registration_between_the_read_and_the_write_wins_over_the_voip_removal()
    {
        var other = NewRegistry(_azurite.ConnectionString, _table, _protector);
        var push = Token();
        var oldVoip = Token();
        var newVoip = Token();
        await _registry.RegisterAsync(Ios("u", "iphone", push, oldVoip, T0), _ct);
        _race.Arm(async () =>
        {
            await other.RegisterAsync(Ios("u", "iphone", push, newVoip, T0.AddSeconds(30)), _ct);
        });

        var outcome = await _registry.RemoveTokenAsync("u", "iphone", oldVoip, T0.AddSeconds(10), _ct);

        Assert.True(_race.Ran);
        Assert.Equal(TokenRemovalOutcome.KeptReRegistered, outcome);
        var device = Assert.Single(await _registry.GetDevicesAsync("u", _ct));
        Assert.Equal(newVoip, device.VoipToken);
        Assert.Equal(push, device.PushToken);
    }

    [Fact]
    public async Task The_same_token_re_registered_between_the_read_and_the_write_is_kept()
    {
        var other = NewRegistry(_azurite.ConnectionString, _table, _protector);
        var token = Token();
        await _registry.RegisterAsync(Android("u", "p", token, T0), _ct);
        _race.Arm(async () =>
        {
            await other.RegisterAsync(Android("u", "p", token, T0.AddSeconds(30)), _ct);
        });

        var outcome = await _registry.RemoveTokenAsync("u", "p", token, T0.AddSeconds(10), _ct);

        Assert.True(_race.Ran);
        Assert.Equal(TokenRemovalOutcome.KeptReRegistered, outcome);
        Assert.Equal(token, Assert.Single(await _registry.GetDevicesAsync("u", _ct)).PushToken);
    }

    [Fact]
    public async Task Removals_racing_re_registrations_always_end_with_the_re_registered_token()
    {
        var other = NewRegistry(_azurite.ConnectionString, _table, _protector);
        for (var round = 0; round < 10; round++)
        {
            var user = "race" + round;
            var oldToken = Token();
            var newToken = Token();
            await _registry.RegisterAsync(Android(user, "p", oldToken, T0), _ct);

            var removal = Task.Run(() => _registry.RemoveTokenAsync(user, "p", oldToken, T0.AddSeconds(10), _ct), _ct);
            var reRegistration = Task.Run(() => other.RegisterAsync(Android(user, "p", newToken, T0.AddSeconds(20)), _ct), _ct);
            var (removed, registered) = (await removal, await reRegistration);

            var device = Assert.Single(await _registry.GetDevicesAsync(user, _ct));
            Assert.Equal(newToken, device.PushToken);
            // If the removal went first it deleted the device and the registration created it again.
            Assert.Equal(removed == TokenRemovalOutcome.Removed ? RegistrationOutcome.Created : RegistrationOutcome.Replaced, registered);
        }
    }
}
