using Amqp;
using Amqp.Framing;
using Amqp.Types;

namespace Push.Testing.ServiceBus;

/// <summary>
/// One queue and its dead-letter subqueue: sequence numbers, peek-locks and their expiry, delivery counts, deferral,
/// schedules, dead-lettering and duplicate detection. One lock guards all of it; messages are handed to receive
/// links outside that lock (under a second one that keeps deliveries and drain answers in order), so AMQPNetLite's
/// own locks are never taken while the queue's is held.
/// </summary>
internal sealed class EmulatedQueue(Broker broker, string name, QueueOptions options)
{
    /// <summary>The message format of a batch: each data section holds one encoded message.</summary>
    private const uint BatchFormat = 0x80013700;

    private static readonly Symbol ScheduledEnqueueTimeKey = "x-opt-scheduled-enqueue-time";

    private readonly object _gate = new();
    private readonly object _deliveryGate = new();
    private readonly SortedDictionary<long, StoredMessage> _queue = [];
    private readonly SortedDictionary<long, StoredMessage> _deadLetter = [];
    private readonly Dictionary<Guid, StoredMessage> _locks = [];
    // Tokens whose lock ended, so a late settlement is logged against the delivery it meant.
    private readonly Dictionary<Guid, (StoredMessage Message, int DeliveryCount)> _endedLocks = [];
    private readonly Dictionary<string, DateTimeOffset> _recentIds = new(StringComparer.Ordinal);
    private readonly List<ConsumerEndpoint> _consumers = [];
    private long _lastSequenceNumber;
    private int _nextConsumer;

    public string Name { get; } = name;

    public QueueOptions Options { get; } = options;

    // AMQP timestamps carry milliseconds: broker times kept at that precision are what clients see, to the tick.
    private DateTimeOffset Now
    {
        get
        {
            var now = broker.Time.GetUtcNow();
            return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond));
        }
    }

    /// <summary>Enqueues one transfer from a send link: a message, or a batch whose data sections each hold a message.</summary>
    public void Accept(Message transfer)
    {
        if (transfer.Format != BatchFormat)
        {
            Enqueue([transfer]);
            return;
        }

        var sections = transfer.BodySection switch
        {
            Data data => [data],
            DataList list => Enumerable.Range(0, list.Count).Select(i => list[i]).ToList(),
            _ => throw new AmqpException(ErrorCode.DecodeError, "A batch must carry its messages in data sections."),
        };
        Enqueue(sections.Select(section => StoredMessage.Decode(section.Binary)).ToList());
    }

    /// <summary>Enqueues messages (sent, or scheduled through management) and returns the sequence numbers of those kept.</summary>
    public IReadOnlyList<long> Enqueue(IReadOnlyList<Message> messages)
    {
        var sequenceNumbers = new List<long>();
        lock (_gate)
        {
            var now = Now;
            foreach (var message in messages)
            {
                var messageId = message.Properties?.GetMessageId()?.ToString();
                if (IsDuplicate(messageId, now))
                {
                    broker.Record(new DroppedDuplicate(Name, messageId!, now));
                    continue;
                }

                DateTimeOffset? scheduledFor = message.MessageAnnotations?[ScheduledEnqueueTimeKey] is DateTime at && at > now.UtcDateTime
                    ? new DateTimeOffset(at, TimeSpan.Zero)
                    : null;
                var stored = new StoredMessage(++_lastSequenceNumber, messageId, StoredMessage.Encode(message), now, scheduledFor);
                _queue.Add(stored.SequenceNumber, stored);
                sequenceNumbers.Add(stored.SequenceNumber);
            }
        }

        broker.NotifyChanged();
        DeliverAvailable();
        return sequenceNumbers;
    }

    public bool CancelScheduled(IEnumerable<long> sequenceNumbers)
    {
        var allFound = true;
        lock (_gate)
        {
            foreach (var sequenceNumber in sequenceNumbers)
            {
                if (_queue.TryGetValue(sequenceNumber, out var message) && message.State == BrokerMessageState.Scheduled)
                    _queue.Remove(sequenceNumber);
                else
                    allFound = false;
            }
        }

        broker.NotifyChanged();
        return allFound;
    }

    /// <summary>Encoded copies of the messages from a sequence number on, in every state (peek shows deferred and scheduled too).</summary>
    public IReadOnlyList<byte[]> Peek(bool deadLetter, long fromSequenceNumber, int count)
    {
        lock (_gate)
        {
            return Subqueue(deadLetter).Values
                .Where(m => m.SequenceNumber >= fromSequenceNumber)
                .Take(count)
                .Select(m => StoredMessage.Encode(m.Render(new Message(), peeked: true)))
                .ToList();
        }
    }

    /// <summary>Locks (or, in receive-and-delete mode, removes) deferred messages; null when one of them is not deferred.</summary>
    public IReadOnlyList<(byte[] Message, Guid? LockToken)>? ReceiveDeferred(
        bool deadLetter, IReadOnlyList<long> sequenceNumbers, bool peekLock, EmulatorConnection connection)
    {
        var received = new List<(byte[], Guid?)>();
        lock (_gate)
        {
            var subqueue = Subqueue(deadLetter);
            var messages = sequenceNumbers.Select(n => subqueue.GetValueOrDefault(n)).ToList();
            if (messages.Any(m => m is not { State: BrokerMessageState.Deferred })) return null;

            var now = Now;
            foreach (var message in messages)
            {
                message!.DeliveryCount++;
                if (peekLock)
                {
                    Lock(message, connection, now);
                    received.Add((StoredMessage.Encode(message.Render(new Message(), peeked: false)), message.LockToken));
                }
                else
                {
                    subqueue.Remove(message.SequenceNumber);
                    Log(message, SettlementKind.ReceivedAndDeleted, SettlementSource.Management);
                    received.Add((StoredMessage.Encode(message.Render(new Message(), peeked: false)), null));
                }
            }
        }

        broker.NotifyChanged();
        return received;
    }

    /// <summary>Extends the locks by the lock duration; null when one of them is no longer held.</summary>
    public IReadOnlyList<DateTime>? RenewLocks(IEnumerable<Guid> lockTokens)
    {
        var expirations = new List<DateTime>();
        lock (_gate)
        {
            var now = Now;
            foreach (var lockToken in lockTokens)
            {
                if (HeldLock(lockToken, now) is not { } message) return null;
                message.LockedUntil = now + Options.LockDuration;
                expirations.Add(message.LockedUntil.UtcDateTime);
            }
        }

        broker.NotifyChanged();
        return expirations;
    }

    /// <summary>Settles a locked message; false (and a log entry marked lock-lost) when the lock has ended.</summary>
    public bool Settle(Guid lockToken, Disposition disposition, SettlementSource source)
    {
        lock (_gate)
        {
            if (HeldLock(lockToken, Now) is not { } message)
            {
                if (_endedLocks.TryGetValue(lockToken, out var former))
                    Log(former.Message, disposition.Kind, source, disposition.DeadLetterReason, disposition.DeadLetterErrorDescription,
                        lockLost: true, former.DeliveryCount);
                else
                    broker.Record(new Settlement(Name, false, 0, null, disposition.Kind, source, 0, disposition.DeadLetterReason,
                        disposition.DeadLetterErrorDescription, LockLost: true, Now));
                return false;
            }

            EndLock(message);
            foreach (var (key, value) in disposition.PropertiesToModify ?? new Dictionary<string, object?>()) message.PropertyChanges[key] = value;
            Log(message, disposition.Kind, source, disposition.DeadLetterReason, disposition.DeadLetterErrorDescription);
            switch (disposition.Kind)
            {
                case SettlementKind.Completed:
                    Subqueue(message.InDeadLetterQueue).Remove(message.SequenceNumber);
                    break;
                case SettlementKind.Deferred:
                    message.State = BrokerMessageState.Deferred;
                    break;
                case SettlementKind.DeadLettered:
                    MoveToDeadLetter(message, disposition.DeadLetterReason, disposition.DeadLetterErrorDescription);
                    break;
                case SettlementKind.Abandoned:
                    ReturnOrDeadLetter(message);
                    break;
            }
        }

        DeliverAvailable();
        return true;
    }

    public void AddConsumer(ConsumerEndpoint consumer)
    {
        lock (_gate) _consumers.Add(consumer);
    }

    public void RemoveConsumer(ConsumerEndpoint consumer)
    {
        lock (_gate) _consumers.Remove(consumer);
    }

    public IReadOnlyList<ConsumerEndpoint> Consumers(bool deadLetter)
    {
        lock (_gate) return _consumers.Where(c => c.DeadLetter == deadLetter).ToList();
    }

    /// <summary>
    /// A flow on a receive link. AMQPNetLite reports the credit it added; a flow that does not add credit sets the
    /// link's credit to zero in AMQPNetLite, so it does here too, or the two counts would part.
    /// </summary>
    public void OnCredit(ConsumerEndpoint consumer, int added)
    {
        lock (_gate) consumer.Credit = added > 0 ? consumer.Credit + added : 0;
        DeliverAvailable();
    }

    /// <summary>Locks released by a lost connection: the messages are available again and the delivery counted.</summary>
    public void ReleaseLocks(EmulatorConnection connection)
    {
        lock (_gate)
        {
            foreach (var message in _locks.Values.Where(m => m.LockOwner == connection).ToList())
            {
                EndLock(message);
                Log(message, SettlementKind.LockReleased, SettlementSource.Broker);
                ReturnOrDeadLetter(message);
            }
        }

        DeliverAvailable();
    }

    /// <summary>Ends expired locks, enqueues scheduled messages whose time has come, and forgets old message ids.</summary>
    public void Sweep()
    {
        var changed = false;
        lock (_gate)
        {
            var now = Now;
            foreach (var message in _locks.Values.Where(m => m.LockedUntil <= now).ToList())
            {
                ExpireLock(message);
                changed = true;
            }

            foreach (var message in _queue.Values.Where(m => m.State == BrokerMessageState.Scheduled && m.ScheduledFor <= now))
            {
                message.State = BrokerMessageState.Active;
                message.EnqueuedTime = now;
                changed = true;
            }

            if (Options.DuplicateDetectionWindow is { } window)
            {
                foreach (var id in _recentIds.Where(r => r.Value + window <= now).Select(r => r.Key).ToList()) _recentIds.Remove(id);
            }
        }

        if (!changed) return;
        broker.NotifyChanged();
        DeliverAvailable();
    }

    public IReadOnlyList<BrokerMessage> Snapshot(bool deadLetter)
    {
        lock (_gate) return Subqueue(deadLetter).Values.Select(m => m.Snapshot()).ToList();
    }

    public QueueCounts Counts()
    {
        lock (_gate)
        {
            int Count(BrokerMessageState state) => _queue.Values.Count(m => m.State == state);
            return new QueueCounts(
                Count(BrokerMessageState.Active), Count(BrokerMessageState.Locked), Count(BrokerMessageState.Deferred),
                Count(BrokerMessageState.Scheduled), _deadLetter.Count);
        }
    }

    /// <summary>Hands active messages to receive links with credit, round robin, then answers drains that are due.</summary>
    private void DeliverAvailable()
    {
        lock (_deliveryGate)
        {
            var deliveries = new List<(ConsumerEndpoint Consumer, OutgoingMessage Message, StoredMessage Stored)>();
            var drained = new List<ConsumerEndpoint>();
            lock (_gate)
            {
                var now = Now;
                foreach (var deadLetter in (bool[])[false, true])
                {
                    var consumers = _consumers.Where(c => c.DeadLetter == deadLetter).ToList();
                    if (consumers.Count == 0) continue;
                    foreach (var message in Subqueue(deadLetter).Values.Where(m => m.State == BrokerMessageState.Active).ToList())
                    {
                        if (NextWithCredit(consumers) is not { } consumer) break;
                        consumer.Credit--;
                        deliveries.Add((consumer, HandOut(message, consumer, now), message));
                    }

                    // A drain asks for everything available now and then the rest of the credit back, even when nothing was.
                    foreach (var consumer in consumers.Where(c => c.IsDraining))
                    {
                        consumer.Credit = 0;
                        drained.Add(consumer);
                    }
                }
            }

            foreach (var (consumer, message, stored) in deliveries)
            {
                if (!consumer.TrySend(message)) Unsend(stored, message.LockToken);
            }

            foreach (var consumer in drained)
            {
                consumer.CompleteDrain();
                broker.CountDrain();
            }
            if (deliveries.Count > 0) broker.NotifyChanged();
        }
    }

    private ConsumerEndpoint? NextWithCredit(List<ConsumerEndpoint> consumers)
    {
        for (var i = 0; i < consumers.Count; i++)
        {
            var consumer = consumers[(_nextConsumer + i) % consumers.Count];
            if (consumer.Credit <= 0) continue;
            _nextConsumer = (_nextConsumer + i + 1) % consumers.Count;
            return consumer;
        }

        return null;
    }

    private OutgoingMessage HandOut(StoredMessage message, ConsumerEndpoint consumer, DateTimeOffset now)
    {
        message.DeliveryCount++;
        if (!consumer.ReceiveAndDelete)
        {
            Lock(message, consumer.Connection, now);
            return message.Render(new OutgoingMessage(message.LockToken), peeked: false);
        }

        Subqueue(message.InDeadLetterQueue).Remove(message.SequenceNumber);
        Log(message, SettlementKind.ReceivedAndDeleted, SettlementSource.ReceiveLink);
        return message.Render(new OutgoingMessage(lockToken: null), peeked: false);
    }

    // The receive link closed between the hand-out and the transfer: the message was never delivered.
    private void Unsend(StoredMessage message, Guid? lockToken)
    {
        lock (_gate)
        {
            if (lockToken is not { } token || !_locks.ContainsKey(token)) return;
            EndLock(message);
            message.DeliveryCount--;
            message.State = message.StateAfterLock;
        }
    }

    private void Lock(StoredMessage message, EmulatorConnection owner, DateTimeOffset now)
    {
        message.StateAfterLock = message.State;
        message.State = BrokerMessageState.Locked;
        message.LockToken = Guid.NewGuid();
        message.LockedUntil = now + Options.LockDuration;
        message.LockOwner = owner;
        _locks.Add(message.LockToken, message);
    }

    // A lock that ran out is ended here even if the sweep has not come round yet, so a late settlement always fails.
    private StoredMessage? HeldLock(Guid lockToken, DateTimeOffset now)
    {
        if (!_locks.TryGetValue(lockToken, out var message)) return null;
        if (message.LockedUntil > now) return message;
        ExpireLock(message);
        return null;
    }

    private void ExpireLock(StoredMessage message)
    {
        EndLock(message);
        Log(message, SettlementKind.LockExpired, SettlementSource.Broker);
        ReturnOrDeadLetter(message);
    }

    private void EndLock(StoredMessage message)
    {
        _locks.Remove(message.LockToken);
        _endedLocks[message.LockToken] = (message, message.DeliveryCount);
        message.LockOwner = null;
    }

    // After an abandon or a lost lock: back where it was, unless that was its last allowed delivery.
    private void ReturnOrDeadLetter(StoredMessage message)
    {
        if (!message.InDeadLetterQueue && message.DeliveryCount >= Options.MaxDeliveryCount)
        {
            var description = $"Message could not be consumed after {Options.MaxDeliveryCount} delivery attempts.";
            Log(message, SettlementKind.DeadLettered, SettlementSource.Broker, "MaxDeliveryCountExceeded", description);
            MoveToDeadLetter(message, "MaxDeliveryCountExceeded", description);
            return;
        }

        message.State = message.StateAfterLock;
    }

    // The reason and description become application properties of the dead-lettered message, as on Service Bus.
    private void MoveToDeadLetter(StoredMessage message, string? reason, string? description)
    {
        if (!message.InDeadLetterQueue)
        {
            _queue.Remove(message.SequenceNumber);
            _deadLetter.Add(message.SequenceNumber, message);
            message.InDeadLetterQueue = true;
        }

        message.State = BrokerMessageState.Active;
        if (reason is not null) message.PropertyChanges["DeadLetterReason"] = reason;
        if (description is not null) message.PropertyChanges["DeadLetterErrorDescription"] = description;
    }

    private bool IsDuplicate(string? messageId, DateTimeOffset now)
    {
        if (Options.DuplicateDetectionWindow is not { } window || messageId is null) return false;
        if (_recentIds.TryGetValue(messageId, out var seen) && seen + window > now) return true;
        _recentIds[messageId] = now;
        return false;
    }

    private SortedDictionary<long, StoredMessage> Subqueue(bool deadLetter) => deadLetter ? _deadLetter : _queue;

    private void Log(
        StoredMessage message,
        SettlementKind kind,
        SettlementSource source,
        string? reason = null,
        string? description = null,
        bool lockLost = false,
        int? deliveryCount = null) =>
        broker.Record(new Settlement(Name, message.InDeadLetterQueue, message.SequenceNumber, message.MessageId, kind, source,
            deliveryCount ?? message.DeliveryCount, reason, description, lockLost, Now));
}
