using Amqp;
using Amqp.Framing;
using Amqp.Types;

namespace Push.Hosting.ServiceBus;

/// <summary>
/// The AMQP outcomes of Service Bus's settlements (learn.microsoft.com "AMQP 1.0 in Azure Service Bus", the Go SDK's
/// messageSettler): one table, so the trigger and its tests agree.
/// </summary>
public static class ServiceBusDisposition
{
    /// <summary>The error condition that makes <c>rejected</c> a dead-letter on Service Bus.</summary>
    public static readonly Symbol DeadLetterCondition = new("com.microsoft:dead-letter");

    public const string DeadLetterReasonKey = "DeadLetterReason";
    public const string DeadLetterErrorDescriptionKey = "DeadLetterErrorDescription";

    /// <summary>Complete: <c>accepted</c>.</summary>
    public static DeliveryState Complete() => new Accepted();

    /// <summary>
    /// Abandon: <c>modified {delivery-failed: false, undeliverable-here: false}</c> — Service Bus counts the delivery
    /// itself. RabbitMQ refuses <c>modified</c>, so there it is <c>released</c> (requeued at once, uncounted).
    /// </summary>
    public static DeliveryState Abandon(ServiceBusBroker broker = ServiceBusBroker.ServiceBus) => broker == ServiceBusBroker.RabbitMq
        ? new Released()
        : new Modified { DeliveryFailed = false, UndeliverableHere = false };

    /// <summary>Defer: <c>modified {undeliverable-here: true}</c> (RabbitMQ: <c>released</c>, it has no deferral).</summary>
    public static DeliveryState Defer(ServiceBusBroker broker = ServiceBusBroker.ServiceBus) => broker == ServiceBusBroker.RabbitMq
        ? new Released()
        : new Modified { DeliveryFailed = false, UndeliverableHere = true };

    /// <summary>Give back unprocessed at shutdown: <c>released</c> (not counted as a delivery).</summary>
    public static DeliveryState Release() => new Released();

    /// <summary>
    /// Dead-letter: <c>rejected</c> with error condition <c>com.microsoft:dead-letter</c> and info
    /// {DeadLetterReason, DeadLetterErrorDescription}. RabbitMQ dead-letters any <c>rejected</c> through the queue's
    /// x-dead-letter-exchange and ignores the error.
    /// </summary>
    public static DeliveryState DeadLetter(string reason, string description) => new Rejected
    {
        Error = new Error(DeadLetterCondition)
        {
            Description = reason,
            Info = new Fields
            {
                { new Symbol(DeadLetterReasonKey), Truncate(reason) },
                { new Symbol(DeadLetterErrorDescriptionKey), Truncate(description) },
            },
        },
    };

    /// <summary>Service Bus keeps at most 4096 characters of each dead-letter property.</summary>
    private static string Truncate(string value) => value.Length <= 4096 ? value : value[..4096];
}
