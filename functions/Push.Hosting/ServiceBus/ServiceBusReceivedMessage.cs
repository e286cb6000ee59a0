using Amqp;
using Amqp.Framing;
using Amqp.Types;

namespace Push.Hosting.ServiceBus;

/// <summary>
/// What the trigger reads from a received AMQP message: the body bytes, the header's delivery-count, Service Bus's
/// x-opt-* annotations (enqueued time, sequence number, locked-until, lock token) when present.
/// </summary>
public sealed record ServiceBusReceivedMessage(
    string MessageId,
    BinaryData Body,
    long DeliveryCount,
    DateTimeOffset? EnqueuedTime,
    long? SequenceNumber,
    DateTimeOffset? LockedUntil,
    Guid? LockToken,
    DateTimeOffset? ExpiresOn)
{
    public static readonly Symbol EnqueuedTimeAnnotation = new("x-opt-enqueued-time");
    public static readonly Symbol SequenceNumberAnnotation = new("x-opt-sequence-number");
    public static readonly Symbol LockedUntilAnnotation = new("x-opt-locked-until");
    public static readonly Symbol LockTokenAnnotation = new("x-opt-lock-token");

    /// <summary>Reads <paramref name="message"/>; a message without a message-id gets its sequence number or delivery tag as id.</summary>
    public static ServiceBusReceivedMessage From(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var annotations = message.MessageAnnotations?.Map;
        var enqueued = AsTime(annotations?[EnqueuedTimeAnnotation]);
        var sequence = annotations?[SequenceNumberAnnotation] is { } seq ? Convert.ToInt64(seq, System.Globalization.CultureInfo.InvariantCulture) : (long?)null;
        var lockedUntil = AsTime(annotations?[LockedUntilAnnotation]);

        // Service Bus's lock token is the delivery tag (a uuid's 16 bytes), also given as x-opt-lock-token by some peers.
        Guid? lockToken = annotations?[LockTokenAnnotation] as Guid?;
        if (lockToken is null && message.DeliveryTag is { Length: 16 } tag) lockToken = new Guid(tag);

        // Header delivery-count counts earlier failed deliveries: the first delivery is 1 (the Functions DequeueCount).
        var deliveryCount = (long)(message.Header?.DeliveryCount ?? 0) + 1;

        DateTimeOffset? expires = null;
        if (message.Properties?.AbsoluteExpiryTime is { } absolute && absolute > DateTime.MinValue)
        {
            expires = new DateTimeOffset(DateTime.SpecifyKind(absolute, DateTimeKind.Utc));
        }
        else if (message.Header is { Ttl: > 0 } header && enqueued is { } start)
        {
            expires = start + TimeSpan.FromMilliseconds(header.Ttl);
        }

        var id = message.Properties?.GetMessageId()?.ToString();
        if (string.IsNullOrEmpty(id)) id = sequence?.ToString(System.Globalization.CultureInfo.InvariantCulture)
            ?? (message.DeliveryTag is { Length: > 0 } t ? Convert.ToHexString(t) : "unknown");

        return new ServiceBusReceivedMessage(id, BodyOf(message), deliveryCount, enqueued, sequence, lockedUntil, lockToken, expires);
    }

    private static BinaryData BodyOf(Message message) => message.BodySection switch
    {
        Data data => BinaryData.FromBytes(data.Binary ?? []),
        AmqpValue { Value: byte[] bytes } => BinaryData.FromBytes(bytes),
        AmqpValue { Value: string text } => BinaryData.FromString(text),
        _ => BinaryData.Empty,
    };

    private static DateTimeOffset? AsTime(object? value) => value switch
    {
        DateTime time => new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)),
        _ => null,
    };
}
