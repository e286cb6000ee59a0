using System.Collections.Concurrent;
using Amqp;
using Amqp.Handler;

namespace Push.Testing.ServiceBus;

/// <summary>
/// Per-connection broker state, installed as the connection's AMQPNetLite protocol handler (the listener creates one
/// per accepted transport). Being the handler lets it stamp each delivery's tag with the lock token before the
/// transfer is written: AMQPNetLite offers no other way to choose a delivery tag on a listener link.
/// </summary>
internal sealed class EmulatorConnection(Broker broker, int id) : IHandler
{
    /// <summary>Response links of this connection's request/response nodes, keyed by the reply-to address they receive on.</summary>
    public ConcurrentDictionary<string, ResponseEndpoint> ResponseLinks { get; } = new(StringComparer.Ordinal);

    /// <summary>What this connection's valid CBS tokens authorize.</summary>
    public CbsGrants Grants { get; } = new(broker.Time);

    public int Id { get; } = id;

    public bool CanHandle(EventId id) => id is EventId.ConnectionAccept or EventId.SendDelivery;

    public void Handle(Event protocolEvent)
    {
        switch (protocolEvent.Id)
        {
            case EventId.ConnectionAccept:
                broker.OnConnectionOpened(this);
                // Added after the connection may already have failed: AddClosedCallback still calls back then.
                protocolEvent.Connection.AddClosedCallback((_, _) => broker.OnConnectionClosed(this));
                break;
            case EventId.SendDelivery when protocolEvent.Context is IDelivery { Message: OutgoingMessage { LockToken: { } lockToken } } delivery:
                // Azure.Messaging.ServiceBus reads the lock token from the 16-byte delivery tag (Guid memory layout).
                delivery.Tag = lockToken.ToByteArray();
                break;
        }
    }
}

/// <summary>A message on its way to a receiver, carrying the lock token its delivery tag must hold (null when pre-settled).</summary>
internal sealed class OutgoingMessage(Guid? lockToken) : Message
{
    public Guid? LockToken { get; } = lockToken;
}
