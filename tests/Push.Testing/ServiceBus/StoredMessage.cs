using Amqp;
using Amqp.Framing;
using Amqp.Types;

namespace Push.Testing.ServiceBus;

/// <summary>
/// One message in a queue. The sender's message is kept encoded, as it arrived; every hand-out (delivery, peek,
/// receive by sequence number) decodes a fresh copy and adds the broker's view: annotations, delivery count and the
/// application properties settlements added.
/// </summary>
internal sealed class StoredMessage(long sequenceNumber, string? messageId, byte[] encoded, DateTimeOffset enqueuedTime, DateTimeOffset? scheduledFor)
{
    private static readonly Symbol SequenceNumberKey = "x-opt-sequence-number";
    private static readonly Symbol EnqueuedTimeKey = "x-opt-enqueued-time";
    private static readonly Symbol LockedUntilKey = "x-opt-locked-until";
    private static readonly Symbol MessageStateKey = "x-opt-message-state";

    public long SequenceNumber { get; } = sequenceNumber;

    public string? MessageId { get; } = messageId;

    public DateTimeOffset EnqueuedTime { get; set; } = enqueuedTime;

    public DateTimeOffset? ScheduledFor { get; } = scheduledFor;

    public BrokerMessageState State { get; set; } = scheduledFor is null ? BrokerMessageState.Active : BrokerMessageState.Scheduled;

    public bool InDeadLetterQueue { get; set; }

    /// <summary>How many times the message was handed out under a lock or received-and-deleted.</summary>
    public int DeliveryCount { get; set; }

    public Guid LockToken { get; set; }

    public DateTimeOffset LockedUntil { get; set; }

    public EmulatorConnection? LockOwner { get; set; }

    /// <summary>Where the message goes when its lock ends without a settlement: active, or back among the deferred.</summary>
    public BrokerMessageState StateAfterLock { get; set; }

    /// <summary>Application properties set by abandon, defer and dead-letter (properties to modify, dead-letter reason).</summary>
    public Dictionary<string, object?> PropertyChanges { get; } = new(StringComparer.Ordinal);

    public static Message Decode(byte[] bytes) => Message.Decode(new ByteBuffer(bytes, 0, bytes.Length, bytes.Length));

    public static byte[] Encode(Message message)
    {
        var buffer = message.Encode();
        return buffer.Buffer.AsSpan(buffer.Offset, buffer.Length).ToArray();
    }

    /// <summary>The message as the broker hands it out, written into <paramref name="into"/> (a delivery or a message to encode).</summary>
    public T Render<T>(T into, bool peeked) where T : Message
    {
        var sent = Decode(encoded);
        into.Header = sent.Header ?? new Header();
        into.DeliveryAnnotations = sent.DeliveryAnnotations;
        into.MessageAnnotations = sent.MessageAnnotations ?? new MessageAnnotations();
        into.Properties = sent.Properties;
        into.ApplicationProperties = sent.ApplicationProperties ?? new ApplicationProperties();
        into.BodySection = sent.BodySection;
        into.Footer = sent.Footer;

        // The header counts earlier deliveries: the SDK adds one for a received message and reports a peeked one as is,
        // so both show DeliveryCount as the number of hand-outs so far.
        into.Header.DeliveryCount = (uint)(peeked ? DeliveryCount : Math.Max(0, DeliveryCount - 1));
        into.MessageAnnotations[SequenceNumberKey] = SequenceNumber;
        into.MessageAnnotations[EnqueuedTimeKey] = EnqueuedTime.UtcDateTime;
        if (State == BrokerMessageState.Locked) into.MessageAnnotations[LockedUntilKey] = LockedUntil.UtcDateTime;
        // ServiceBusReceivedMessage.State: 0 active, 1 deferred, 2 scheduled.
        into.MessageAnnotations[MessageStateKey] = (State == BrokerMessageState.Locked ? StateAfterLock : State) switch
        {
            BrokerMessageState.Deferred => 1,
            BrokerMessageState.Scheduled => 2,
            _ => 0,
        };
        foreach (var (name, value) in PropertyChanges) into.ApplicationProperties[name] = value;
        return into;
    }

    public BrokerMessage Snapshot()
    {
        var rendered = Render(new Message(), peeked: true);
        var properties = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in rendered.ApplicationProperties.Map) properties[(string)name] = value;
        return new BrokerMessage(
            SequenceNumber,
            MessageId,
            State,
            InDeadLetterQueue,
            DeliveryCount,
            EnqueuedTime,
            ScheduledFor,
            State == BrokerMessageState.Locked ? LockedUntil : null,
            State == BrokerMessageState.Locked ? LockToken : null,
            Body(rendered.BodySection),
            properties);
    }

    private static byte[] Body(RestrictedDescribed? section) => section switch
    {
        Data data => data.Binary,
        DataList list => Enumerable.Range(0, list.Count).SelectMany(i => list[i].Binary).ToArray(),
        _ => [],
    };
}
