using System.Collections.Concurrent;
using Push.Core.Delivery;
using Push.Core.Ledger;
using Push.Core.Registry;
using Push.Core.Routing;
using Push.Providers.Results;

namespace Push.Core.Tests.Delivery;

/// <summary>The registry as a dictionary: the pipeline's logic is tested here, the Table storage in Registry/.</summary>
internal sealed class InMemoryRegistry : IDeviceRegistry
{
    public List<RegisteredDevice> Devices { get; } = [];
    public List<(string DeviceId, string Token, DateTimeOffset InvalidSince)> Removals { get; } = [];

    public Task<IReadOnlyList<RegisteredDevice>> GetDevicesAsync(string userId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<RegisteredDevice>>(Devices.Where(d => d.UserId == userId).ToList());

    public Task<TokenRemovalOutcome> RemoveTokenAsync(string userId, string deviceId, string token, DateTimeOffset invalidSince, CancellationToken cancellationToken)
    {
        lock (Removals) Removals.Add((deviceId, token, invalidSince));
        return Task.FromResult(TokenRemovalOutcome.Removed);
    }

    public Task<RegistrationOutcome> RegisterAsync(DeviceRegistration registration, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<bool> UnregisterAsync(string userId, string deviceId, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<IReadOnlyList<DeviceSummary>> ListAsync(string userId, CancellationToken cancellationToken) => throw new NotSupportedException();
}

internal sealed class InMemoryLedger : IDeliveryLedger
{
    private readonly ConcurrentDictionary<(string, string), LedgerEntry> _rows = new();

    private int _reads;

    /// <summary>How many times the ledger was read (one storage round trip each).</summary>
    public int Reads => Volatile.Read(ref _reads);

    public Task<IReadOnlyDictionary<string, LedgerEntry>> GetAsync(string trackingId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        return Task.FromResult<IReadOnlyDictionary<string, LedgerEntry>>(
            _rows.Where(kv => kv.Key.Item1 == trackingId).ToDictionary(kv => kv.Key.Item2, kv => kv.Value));
    }

    /// <summary>Each write round trip (a single row or a transaction), with the device ids it carried.</summary>
    public ConcurrentQueue<string[]> Writes { get; } = new();

    public Task RecordAsync(LedgerEntry entry, CancellationToken cancellationToken) => RecordManyAsync([entry], cancellationToken);

    public Task RecordManyAsync(IEnumerable<LedgerEntry> entries, CancellationToken cancellationToken)
    {
        var batch = entries.ToList();
        foreach (var entry in batch) _rows[(entry.TrackingId, entry.DeviceId)] = entry;
        Writes.Enqueue([.. batch.Select(e => e.DeviceId)]);
        return Task.CompletedTask;
    }
}

/// <summary>Answers each send from a script (per device token), and records what was sent.</summary>
internal sealed class ScriptedDispatcher : IPushDispatcher
{
    private readonly ConcurrentDictionary<string, Queue<Func<PushResult>>> _scripts = new();

    public ConcurrentQueue<ComposedPush> Sent { get; } = new();

    public void Answer(string token, params Func<PushResult>[] answers) => _scripts[token] = new Queue<Func<PushResult>>(answers);

    public Task<PushResult> SendAsync(ComposedPush push, CancellationToken cancellationToken)
    {
        Sent.Enqueue(push);
        var token = push switch
        {
            ComposedPush.Apns apns => apns.Notification.DeviceToken,
            ComposedPush.Fcm fcm => fcm.Message.Token,
            _ => throw new ArgumentException("not sendable"),
        };
        if (_scripts.TryGetValue(token, out var script))
        {
            lock (script)
            {
                if (script.Count > 0) return Task.FromResult(script.Dequeue()());
            }
        }
        return Task.FromResult<PushResult>(PushResult.Accepted(Guid.NewGuid().ToString()));
    }
}
