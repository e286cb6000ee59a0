using System.Collections.Concurrent;

namespace LocalFunctionsHost.Rpc;

/// <summary>The channels of the workers this host started, by worker id, so that a stream is matched to its process.</summary>
internal sealed class WorkerChannelRegistry
{
    private readonly ConcurrentDictionary<string, WorkerChannel> _channels = new(StringComparer.Ordinal);

    public void Add(WorkerChannel channel) => _channels[channel.WorkerId] = channel;

    public void Remove(string workerId) => _channels.TryRemove(workerId, out _);

    public WorkerChannel? Find(string workerId) => _channels.TryGetValue(workerId, out var channel) ? channel : null;
}
