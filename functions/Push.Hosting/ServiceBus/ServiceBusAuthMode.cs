namespace Push.Hosting.ServiceBus;

/// <summary>How the AMQP connection authenticates (host.json <c>extensions.serviceBus.authMode</c>, our extension).</summary>
public enum ServiceBusAuthMode
{
    /// <summary>
    /// SASL ANONYMOUS, then a SAS token put on <c>$cbs</c> for each entity and renewed before it expires: what Azure
    /// Service Bus's own clients do, and the only way a token (rather than the key) crosses the wire. The default.
    /// </summary>
    Cbs,

    /// <summary>SASL PLAIN with the SAS rule name and key (Service Bus accepts it; RabbitMQ needs it).</summary>
    SaslPlain,
}
