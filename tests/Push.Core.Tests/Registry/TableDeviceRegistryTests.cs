using System.Security.Cryptography;
using System.Text.Json;
using Azure.Data.Tables;
using Push.Core.Registry;
using Push.Core.Storage;
using Push.Testing;
using static Push.Core.Tests.Registry.RegistryTestSupport;

namespace Push.Core.Tests.Registry;

[Collection(RegistryStorageCollection.Name)]
public sealed class TableDeviceRegistryTests : IDisposable
{
    private readonly AzuriteFixture _azurite;
    private readonly string _table = AzuriteFixture.UniqueName("devices");
    private readonly AesGcmDeviceKeyProtector _protector = NewProtector();
    private readonly RaceBeforeFirstEntityWrite _race = new();
    private readonly TableDeviceRegistry _registry;
    private readonly CancellationToken _ct = CancellationToken.None;

    public TableDeviceRegistryTests(AzuriteFixture azurite)
    {
        _azurite = azurite;
        _registry = NewRegistry(azurite.ConnectionString, _table, _protector, race: _race);
    }

    public void Dispose() => _protector.Dispose();

    [Fact]
    public async Task A_new_device_is_created_and_read_back_with_every_field()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var registration = Ios("alice", "phone-1", Token(), Token(), T0, key);

        Assert.Equal(RegistrationOutcome.Created, await _registry.RegisterAsync(registration, _ct));

        var device = Assert.Single(await _registry.GetDevicesAsync("alice", _ct));
        Assert.Equal("alice", device.UserId);
        Assert.Equal("phone-1", device.DeviceId);
        Assert.Equal(DevicePlatform.Ios, device.Platform);
        Assert.Equal(registration.AppId, device.AppId);
        Assert.Equal(registration.PushToken, device.PushToken);
        Assert.Equal(registration.VoipToken, device.VoipToken);
        Assert.Equal(PushEnvironment.Sandbox, device.Environment);
        Assert.Equal("CN", device.Region);
        Assert.Equal(T0, device.RegisteredAt);
        Assert.Equal(registration.KeyId, device.WrappedKey.KeyId);
        Assert.Equal("kek1", device.WrappedKey.KekId);
        Assert.False(string.IsNullOrEmpty(device.Version));
        var unwrapped = new byte[32];
        _protector.Unwrap(device.WrappedKey, unwrapped);
        Assert.Equal(key, unwrapped);
    }

    [Fact]
    public async Task The_same_registration_again_is_unchanged_and_keeps_the_row_version()
    {
        var registration = Android("bob", "tab-1", Token(), T0);
        await _registry.RegisterAsync(registration, _ct);
        var before = Assert.Single(await _registry.GetDevicesAsync("bob", _ct));

        Assert.Equal(RegistrationOutcome.Unchanged, await _registry.RegisterAsync(registration, _ct));

        var after = Assert.Single(await _registry.GetDevicesAsync("bob", _ct));
        Assert.Equal(before.Version, after.Version);
    }

    [Fact]
    public async Task A_newer_registration_replaces_the_token_and_an_older_one_is_ignored()
    {
        var oldToken = Token();
        var newToken = Token();
        var staleToken = Token();
        await _registry.RegisterAsync(Android("carol", "p", oldToken, T0), _ct);

        Assert.Equal(RegistrationOutcome.Replaced, await _registry.RegisterAsync(Android("carol", "p", newToken, T0.AddSeconds(10)), _ct));
        Assert.Equal(RegistrationOutcome.IgnoredAsStale, await _registry.RegisterAsync(Android("carol", "p", staleToken, T0.AddSeconds(5)), _ct));

        var device = Assert.Single(await _registry.GetDevicesAsync("carol", _ct));
        Assert.Equal(newToken, device.PushToken);
        Assert.Equal(T0.AddSeconds(10), device.RegisteredAt);
    }

    [Fact]
    public async Task The_same_time_with_a_different_key_replaces_the_stored_key()
    {
        var newKey = RandomNumberGenerator.GetBytes(32);
        var token = Token();
        await _registry.RegisterAsync(Android("dave", "p", token, T0), _ct);

        Assert.Equal(RegistrationOutcome.Replaced, await _registry.RegisterAsync(Android("dave", "p", token, T0, newKey), _ct));

        var device = Assert.Single(await _registry.GetDevicesAsync("dave", _ct));
        var unwrapped = new byte[32];
        _protector.Unwrap(device.WrappedKey, unwrapped);
        Assert.Equal(newKey, unwrapped);
    }

    [Fact]
    public async Task Unregister_deletes_once_and_then_reports_nothing_to_remove()
    {
        await _registry.RegisterAsync(Android("erin", "p1", Token(), T0), _ct);
        await _registry.RegisterAsync(Android("erin", "p2", Token(), T0), _ct);

        Assert.True(await _registry.UnregisterAsync("erin", "p1", _ct));
        Assert.False(await _registry.UnregisterAsync("erin", "p1", _ct));

        var remaining = Assert.Single(await _registry.GetDevicesAsync("erin", _ct));
        Assert.Equal("p2", remaining.DeviceId);
    }

    [Fact]
    public async Task A_user_without_devices_has_an_empty_list()
    {
        Assert.Empty(await _registry.GetDevicesAsync("nobody", _ct));
        Assert.Empty(await _registry.ListAsync("nobody", _ct));
    }

    [Fact]
    public async Task Concurrent_registrations_from_two_instances_end_with_the_newest()
    {
        var other = NewRegistry(_azurite.ConnectionString, _table, _protector);
        var tokens = Enumerable.Range(0, 12).Select(_ => Token()).ToArray();
        // Newest first, so the newest usually starts before older ones that must not overwrite it.
        var registrations = tokens.Select((t, i) => Android("frank", "p", t, T0.AddSeconds(i))).Reverse().ToArray();

        var outcomes = await Task.WhenAll(registrations.Select((r, i) =>
            Task.Run(() => (i % 2 == 0 ? _registry : other).RegisterAsync(r, _ct), _ct)));

        var device = Assert.Single(await _registry.GetDevicesAsync("frank", _ct));
        Assert.Equal(tokens[^1], device.PushToken);
        Assert.Equal(T0.AddSeconds(tokens.Length - 1), device.RegisteredAt);
        Assert.Equal(1, outcomes.Count(o => o == RegistrationOutcome.Created));
    }

    [Fact]
    public async Task An_older_registration_that_loses_the_race_to_a_newer_one_does_not_overwrite_it()
    {
        var other = NewRegistry(_azurite.ConnectionString, _table, _protector);
        var oldToken = Token();
        var newerToken = Token();
        var olderToken = Token();
        await _registry.RegisterAsync(Android("gina", "p", oldToken, T0), _ct);
        _race.Arm(async () =>
        {
            // Between this instance's read and its write, another instance stores a newer registration.
            await other.RegisterAsync(Android("gina", "p", newerToken, T0.AddSeconds(20)), _ct);
        });

        var outcome = await _registry.RegisterAsync(Android("gina", "p", olderToken, T0.AddSeconds(10)), _ct);

        Assert.True(_race.Ran);
        Assert.Equal(RegistrationOutcome.IgnoredAsStale, outcome);
        Assert.Equal(newerToken, Assert.Single(await _registry.GetDevicesAsync("gina", _ct)).PushToken);
    }

    [Fact]
    public async Task A_first_registration_racing_another_first_registration_decides_again()
    {
        var other = NewRegistry(_azurite.ConnectionString, _table, _protector);
        var newerToken = Token();
        _race.Arm(async () =>
        {
            await other.RegisterAsync(Android("hank", "p", newerToken, T0.AddSeconds(20)), _ct);
        });

        var outcome = await _registry.RegisterAsync(Android("hank", "p", Token(), T0), _ct);

        Assert.True(_race.Ran);
        Assert.Equal(RegistrationOutcome.IgnoredAsStale, outcome);
        Assert.Equal(newerToken, Assert.Single(await _registry.GetDevicesAsync("hank", _ct)).PushToken);
    }

    [Fact]
    public async Task The_list_shows_token_hashes_and_never_the_key_or_the_tokens()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var registration = Ios("ivy", "phone", Token(), Token(), T0, key);
        await _registry.RegisterAsync(registration, _ct);

        var summaries = await _registry.ListAsync("ivy", _ct);

        var summary = Assert.Single(summaries);
        Assert.Equal(SecretHash.Of(registration.PushToken), summary.PushTokenHash);
        Assert.Equal(SecretHash.Of(registration.VoipToken!), summary.VoipTokenHash);
        Assert.Equal(8, summary.PushTokenHash!.Length);
        var json = JsonSerializer.Serialize(summaries);
        Assert.DoesNotContain(Convert.ToBase64String(key), json, StringComparison.Ordinal);
        Assert.DoesNotContain(registration.PushToken, json, StringComparison.Ordinal);
        Assert.DoesNotContain(registration.VoipToken!, json, StringComparison.Ordinal);
        Assert.DoesNotContain(registration.PushToken, summary.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_stored_row_holds_only_the_wrapped_key()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        await _registry.RegisterAsync(Android("jack", "p", Token(), T0, key), _ct);

        var raw = (await new TableClient(_azurite.ConnectionString, _table).GetEntityAsync<TableEntity>("jack", "p", cancellationToken: _ct)).Value;

        var keyBase64 = Convert.ToBase64String(key);
        var keyHex = Convert.ToHexString(key);
        foreach (var (name, value) in raw)
        {
            switch (value)
            {
                case byte[] bytes:
                    Assert.Equal(-1, bytes.AsSpan().IndexOf(key));
                    break;
                case string text:
                    Assert.DoesNotContain(keyBase64, text, StringComparison.Ordinal);
                    Assert.DoesNotContain(keyHex, text, StringComparison.OrdinalIgnoreCase);
                    break;
            }
        }
        var wrapped = raw.GetBinary("WrappedKey");
        Assert.Equal(AesGcmDeviceKeyProtector.WrappedSize, wrapped!.Length);
        Assert.Equal("kek1", raw.GetString("KekId"));
    }

    [Theory]
    [InlineData("user/1", "UserId")]
    [InlineData("user#1", "UserId")]
    [InlineData("user?1", "UserId")]
    [InlineData("user\\1", "UserId")]
    [InlineData("user\u00011", "UserId")]
    public async Task A_user_id_that_cannot_be_a_key_is_refused_by_name(string userId, string field)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => _registry.RegisterAsync(Android(userId, "p", Token(), T0), _ct));

        Assert.Equal(field, error.ParamName);
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_device_id_that_cannot_be_a_key_is_refused_by_name()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => _registry.RegisterAsync(Android("kim", "a/b", Token(), T0), _ct));
        Assert.Equal("DeviceId", error.ParamName);

        var removeError = await Assert.ThrowsAsync<ArgumentException>(() => _registry.RemoveTokenAsync("kim", "a#b", "t", T0, _ct));
        Assert.Equal("deviceId", removeError.ParamName);
    }
}
