using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
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
    private readonly string _connectionString;
    private readonly string _table;

    public DeviceRegistryCacheTests(AzuriteFixture azurite)
    {
        var table = AzuriteFixture.UniqueName("devices");
        _connectionString = azurite.ConnectionString;
        _table = table;
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
    public async Task Events_for_one_user_that_miss_the_cache_together_share_one_registry_query()
    {
        await _otherInstance.RegisterAsync(Android("u5", "p1", Token(), T0), _ct);
        var queries = new QueryCounter();
        var options = new TableClientOptions();
        options.AddPolicy(queries, HttpPipelinePosition.PerRetry);
        var registry = new TableDeviceRegistry(new TableServiceClient(_connectionString, options), _protector,
            new MemoryCache(new MemoryCacheOptions()), Options.Create(new DeviceRegistryOptions { DevicesTable = _table, CacheDuration = Ttl }),
            _time, NullLogger<TableDeviceRegistry>.Instance);

        var reads = Enumerable.Range(0, 16).Select(_ => registry.GetDevicesAsync("u5", _ct)).ToList();

        Assert.All(await Task.WhenAll(reads), devices => Assert.Equal("p1", Assert.Single(devices).DeviceId));
        Assert.Equal(1, queries.Count);
    }

    /// <summary>Queries of the devices table (GET), as they go on the wire.</summary>
    private sealed class QueryCounter : HttpPipelineSynchronousPolicy
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public override void OnSendingRequest(HttpMessage message)
        {
            if (message.Request.Method == RequestMethod.Get) Interlocked.Increment(ref _count);
        }
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
