using Amqp;
using Amqp.Framing;
using Amqp.Types;

namespace Push.Testing.ServiceBus;

/// <summary>
/// <c>&lt;queue&gt;/$management</c> and <c>&lt;queue&gt;/$DeadLetterQueue/$management</c>: the operations the SDK's
/// receivers and senders use, answered with application properties <c>statusCode</c> / <c>statusDescription</c>
/// (and <c>errorCondition</c>, a symbol the SDK maps to its failure reasons) and an AMQP-value map body.
/// </summary>
internal sealed class ManagementNode(Broker broker, EmulatedQueue queue, bool deadLetter) : IRequestNode
{
    public const string MessageLockLost = "com.microsoft:message-lock-lost";
    public const string LockLostDescription =
        "The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue.";

    private const string MessageNotFound = "com.microsoft:message-not-found";

    public Message Handle(EmulatorConnection connection, Message request)
    {
        var operation = request.ApplicationProperties?["operation"] as string ?? "";
        var body = request.Body as Map ?? new Map();
        var reply = operation switch
        {
            "com.microsoft:renew-lock" => RenewLock(body),
            "com.microsoft:peek-message" => Peek(body),
            "com.microsoft:schedule-message" => Schedule(body),
            "com.microsoft:cancel-scheduled-message" => CancelScheduled(body),
            "com.microsoft:receive-by-sequence-number" => ReceiveBySequenceNumber(connection, body),
            "com.microsoft:update-disposition" => UpdateDisposition(body),
            _ => Reply(501, $"The emulator does not implement '{operation}'.", errorCondition: ErrorCode.NotImplemented),
        };
        broker.Record(new ManagementRecord(queue.Name, deadLetter, operation, (int)reply.ApplicationProperties["statusCode"], broker.Time.GetUtcNow()));
        return reply;
    }

    public static Message Reply(int status, string description, Map? body = null, string? errorCondition = null)
    {
        var properties = new ApplicationProperties { ["statusCode"] = status, ["statusDescription"] = description };
        if (errorCondition is not null) properties["errorCondition"] = (Symbol)errorCondition;
        return new Message { ApplicationProperties = properties, BodySection = body is null ? null : new AmqpValue { Value = body } };
    }

    private Message RenewLock(Map body)
    {
        var expirations = queue.RenewLocks(Guids(body["lock-tokens"]));
        return expirations is null
            ? LockLost()
            : Reply(200, "OK", new Map { ["expirations"] = expirations.ToArray() });
    }

    private Message Peek(Map body)
    {
        var messages = queue.Peek(deadLetter, Convert.ToInt64(body["from-sequence-number"]), Convert.ToInt32(body["message-count"]));
        if (messages.Count == 0) return Reply(204, "No messages to peek.");
        var list = new List();
        foreach (var message in messages) list.Add(new Map { ["message"] = message });
        return Reply(200, "OK", new Map { ["messages"] = list });
    }

    // The scheduled enqueue time travels inside each message (x-opt-scheduled-enqueue-time), as on a plain send.
    private Message Schedule(Map body)
    {
        var messages = Maps(body["messages"]).Select(m => StoredMessage.Decode((byte[])m["message"])).ToList();
        var sequenceNumbers = queue.Enqueue(messages);
        return Reply(200, "OK", new Map { ["sequence-numbers"] = sequenceNumbers.ToArray() });
    }

    private Message CancelScheduled(Map body) =>
        queue.CancelScheduled(Longs(body["sequence-numbers"]))
            ? Reply(200, "OK")
            : Reply(404, "A sequence number is not a scheduled message.", errorCondition: MessageNotFound);

    private Message ReceiveBySequenceNumber(EmulatorConnection connection, Map body)
    {
        // receiver-settle-mode: 1 is peek-lock (second), 0 receive-and-delete (first).
        var peekLock = Convert.ToUInt32(body["receiver-settle-mode"] ?? 1u) == 1;
        var received = queue.ReceiveDeferred(deadLetter, Longs(body["sequence-numbers"]), peekLock, connection);
        if (received is null) return Reply(404, "A sequence number is not a deferred message.", errorCondition: MessageNotFound);
        var list = new List();
        foreach (var (message, lockToken) in received)
        {
            var entry = new Map { ["message"] = message };
            if (lockToken is { } token) entry["lock-token"] = token;
            list.Add(entry);
        }

        return Reply(200, "OK", new Map { ["messages"] = list });
    }

    // How the SDK settles deferred messages, and any message whose receive link is gone.
    private Message UpdateDisposition(Map body)
    {
        SettlementKind? kind = (body["disposition-status"] as string) switch
        {
            "completed" => SettlementKind.Completed,
            "abandoned" => SettlementKind.Abandoned,
            "defered" => SettlementKind.Deferred,
            "suspended" => SettlementKind.DeadLettered,
            _ => null,
        };
        if (kind is null) return Reply(400, "Unknown disposition-status.", errorCondition: "com.microsoft:argument-error");

        var disposition = new Disposition(
            kind.Value,
            new Accepted(),
            Disposition.ToProperties(body["properties-to-modify"] as Map),
            body["deadletter-reason"] as string,
            body["deadletter-description"] as string);
        var allSettled = true;
        foreach (var lockToken in Guids(body["lock-tokens"]))
            allSettled &= queue.Settle(lockToken, disposition, SettlementSource.Management);
        return allSettled ? Reply(200, "OK") : LockLost();
    }

    private static Message LockLost() => Reply(410, LockLostDescription, errorCondition: MessageLockLost);

    private static IReadOnlyList<Guid> Guids(object? value) => value switch
    {
        Guid[] guids => guids,
        Guid guid => [guid],
        _ => [],
    };

    private static IReadOnlyList<long> Longs(object? value) => value switch
    {
        long[] longs => longs,
        long single => [single],
        _ => [],
    };

    private static IEnumerable<Map> Maps(object? value) => value as List is { } list ? list.OfType<Map>() : [];
}
