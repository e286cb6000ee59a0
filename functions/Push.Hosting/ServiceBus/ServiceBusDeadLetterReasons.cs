namespace Push.Hosting.ServiceBus;

/// <summary>The dead-letter reasons the Service Bus trigger itself gives (Service Bus's own names).</summary>
public static class ServiceBusDeadLetterReasons
{
    /// <summary>
    /// The message failed, or asked for a retry, on delivery maxDeliveryCount. Service Bus would move it itself on the
    /// next abandon; the trigger does it first so a broker that does not count (RabbitMQ) behaves the same.
    /// </summary>
    public const string MaxDeliveryCountExceeded = "MaxDeliveryCountExceeded";
}
