namespace Push.Hosting.ServiceBus;

/// <summary>AMQP node addresses of a queue, per broker.</summary>
public static class ServiceBusAddresses
{
    /// <summary>The claims-based-security node where SAS tokens are put.</summary>
    public const string Cbs = "$cbs";

    /// <summary>Suffix of RabbitMQ's stand-in dead-letter queue (the same name the Storage trigger uses for poison).</summary>
    public const string RabbitMqDeadLetterSuffix = "-poison";

    /// <summary>The queue itself: its name on Service Bus, <c>/amq/queue/&lt;queue&gt;</c> on RabbitMQ (a declared queue, not an exchange).</summary>
    public static string Queue(string queueName, ServiceBusBroker broker = ServiceBusBroker.ServiceBus)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(queueName);
        return broker == ServiceBusBroker.RabbitMq ? "/amq/queue/" + queueName : queueName;
    }

    /// <summary>
    /// Where dead-lettered messages of <paramref name="queueName"/> are read: the <c>$DeadLetterQueue</c> subqueue on
    /// Service Bus; on RabbitMQ the queue <c>&lt;queue&gt;-poison</c>, which the queue's x-dead-letter-exchange must route to.
    /// </summary>
    public static string DeadLetterQueue(string queueName, ServiceBusBroker broker = ServiceBusBroker.ServiceBus)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(queueName);
        return broker == ServiceBusBroker.RabbitMq
            ? "/amq/queue/" + queueName + RabbitMqDeadLetterSuffix
            : queueName + "/$DeadLetterQueue";
    }

    /// <summary>The queue's management node (renew-lock and other requests).</summary>
    public static string Management(string queueName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(queueName);
        return queueName + "/$management";
    }
}
