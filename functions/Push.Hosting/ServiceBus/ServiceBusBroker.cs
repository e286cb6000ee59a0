namespace Push.Hosting.ServiceBus;

/// <summary>
/// Which AMQP 1.0 peer the connection string points at (host.json <c>extensions.serviceBus.broker</c>, our extension).
/// The settlement contract is the same; what differs is what the peer supports.
/// </summary>
public enum ServiceBusBroker
{
    /// <summary>Azure Service Bus (or its emulator): entity addresses, $DeadLetterQueue, modified outcomes, locks.</summary>
    ServiceBus,

    /// <summary>
    /// RabbitMQ 3.10 with rabbitmq_amqp1_0, for local runs and tests: addresses <c>/amq/queue/&lt;queue&gt;</c>, a
    /// dead-letter queue <c>&lt;queue&gt;-poison</c> bound through the queue's x-dead-letter-exchange, no locks (so no
    /// renewal), <c>modified</c> refused (abandon and defer become <c>released</c>), delivery count not reported.
    /// </summary>
    RabbitMq,
}
