using System.Collections.Concurrent;
using Azure.Messaging.ServiceBus;

namespace Push.Core.ServiceBus;

/// <summary>One sender per queue on the relay's client (senders are meant to be cached and shared).</summary>
public sealed class ServiceBusSenders(ServiceBusClient client) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ServiceBusSender> _senders = new(StringComparer.Ordinal);

    public ServiceBusSender For(string queue) => _senders.GetOrAdd(queue, client.CreateSender);

    /// <summary>Publishes an event body as a producer does: message id = tracking id, so duplicate detection drops a retry.</summary>
    public Task PublishAsync(string queue, ReadOnlyMemory<byte> body, string trackingId, CancellationToken cancellationToken) =>
        For(queue).SendMessageAsync(new ServiceBusMessage(body) { MessageId = trackingId, ContentType = "application/cloudevents+json" },
            cancellationToken);

    public async ValueTask DisposeAsync()
    {
        foreach (var sender in _senders.Values) await sender.DisposeAsync().ConfigureAwait(false);
        _senders.Clear();
    }
}
