using Amqp;
using Amqp.Framing;
using Amqp.Listener;
using Amqp.Types;

namespace Push.Testing.ServiceBus;

/// <summary>A request/response node (<c>$cbs</c>, <c>&lt;entity&gt;/$management</c>): one reply per request.</summary>
internal interface IRequestNode
{
    Message Handle(EmulatorConnection connection, Message request);
}

internal enum NodeKind
{
    Unknown,
    Cbs,
    Entity,
    Management,
}

/// <summary>
/// A link address as the SDK writes it: <c>/q</c> and <c>q</c> (receive and send links carry the leading slash,
/// management links do not), <c>q/$DeadLetterQueue</c>, <c>q/$management</c>, <c>q/$DeadLetterQueue/$management</c>, <c>$cbs</c>.
/// </summary>
internal readonly record struct EntityAddress(NodeKind Kind, string Path, string Queue, bool DeadLetter)
{
    public const string DeadLetterSegment = "$DeadLetterQueue";
    public const string ManagementSegment = "$management";

    public static string Normalize(string path) => path.Trim('/');

    public static EntityAddress Parse(string address)
    {
        var path = Normalize(address);
        if (path.Equals(CbsNode.Address, StringComparison.OrdinalIgnoreCase)) return new(NodeKind.Cbs, path, "", false);
        var segments = path.Split('/').ToList();
        var management = TakeLast(segments, ManagementSegment);
        var deadLetter = TakeLast(segments, DeadLetterSegment);
        if (segments.Count != 1 || segments[0].Length == 0 || segments[0].StartsWith('$')) return new(NodeKind.Unknown, path, "", false);
        return new(management ? NodeKind.Management : NodeKind.Entity, path, segments[0], deadLetter);
    }

    private static bool TakeLast(List<string> segments, string segment)
    {
        if (segments.Count < 2 || !segments[^1].Equals(segment, StringComparison.OrdinalIgnoreCase)) return false;
        segments.RemoveAt(segments.Count - 1);
        return true;
    }
}

/// <summary>
/// Decides every attach (the emulator registers no fixed addresses, so each link comes here): resolves the address,
/// requires a CBS grant for everything but <c>$cbs</c>, announces <c>max-message-size</c> on entity links, and wires
/// the link to its endpoint.
/// </summary>
internal sealed class LinkRouter(Broker broker) : ILinkProcessor
{
    private const int IncomingCredit = 100;
    private static readonly Symbol MaxMessageBatchSizeProperty = "com.microsoft:max-message-batch-size";
    private static readonly Symbol SessionFilter = "com.microsoft:session-filter";

    public void Process(AttachContext attachContext)
    {
        try
        {
            Route(attachContext);
        }
        catch (Exception ex)
        {
            broker.Fault(ex);
            attachContext.Complete(new Error(ErrorCode.InternalError) { Description = "The emulator failed to attach the link." });
        }
    }

    private void Route(AttachContext context)
    {
        var attach = context.Attach;
        var connection = (EmulatorConnection)context.Link.Session.Connection.Handler;
        var clientReceives = attach.Role;
        var address = clientReceives ? (attach.Source as Source)?.Address : (attach.Target as Target)?.Address;
        if (address is null)
        {
            // e.g. a transaction coordinator: its target is not a Target.
            context.Complete(new Error(ErrorCode.NotImplemented) { Description = "The emulator serves entity, $management and $cbs links only." });
            return;
        }

        var node = EntityAddress.Parse(address);
        if (node.Kind == NodeKind.Unknown)
        {
            context.Complete(new Error(ErrorCode.NotFound) { Description = $"No messaging entity at '{node.Path}'." });
            return;
        }

        EmulatedQueue? queue = null;
        if (node.Kind != NodeKind.Cbs)
        {
            if (!connection.Grants.Allow(node.Path))
            {
                context.Complete(new Error(ErrorCode.UnauthorizedAccess) { Description = $"Put a valid token for '{node.Path}' on $cbs first." });
                return;
            }

            if (!broker.TryGetQueue(node.Queue, out queue))
            {
                context.Complete(new Error(ErrorCode.NotFound) { Description = $"The messaging entity '{node.Queue}' could not be found." });
                return;
            }
        }

        if (node.Kind == NodeKind.Entity)
        {
            AttachEntity(context, connection, queue!, node);
            return;
        }

        if (clientReceives)
        {
            // The client's receiving half of a request/response pair; replies go to its target address (the reply-to).
            if ((attach.Target as Target)?.Address is not { } replyTo)
            {
                context.Complete(new Error(ErrorCode.InvalidField) { Description = "A response link needs a target address." });
                return;
            }

            var responder = new ResponseEndpoint(connection, replyTo, context.Link);
            connection.ResponseLinks[replyTo] = responder;
            context.Complete(responder, 0);
            return;
        }

        IRequestNode handler = node.Kind == NodeKind.Cbs ? broker.Cbs : new ManagementNode(broker, queue!, node.DeadLetter);
        context.Complete(new RequestEndpoint(broker, connection, handler), IncomingCredit);
    }

    private void AttachEntity(AttachContext context, EmulatorConnection connection, EmulatedQueue queue, EntityAddress node)
    {
        var attach = context.Attach;
        // The broker's attach is the client's, echoed back: replace what the client proposed with the broker's limits.
        // Without max-message-size the SDK fails every send with MessageSizeExceeded.
        attach.MaxMessageSize = (ulong)broker.Options.MaxMessageSize;
        attach.Properties = new Fields();
        if (broker.Options.MaxMessageBatchSize is { } batchSize) attach.Properties[MaxMessageBatchSizeProperty] = batchSize;

        if (attach.Role && attach.Source is Source { FilterSet: { } filters } && filters.ContainsKey(SessionFilter))
        {
            // Refused outright: a session receiver handed a plain link would misread the echoed filter.
            context.Complete(new Error(ErrorCode.NotImplemented) { Description = "The emulator has no sessions." });
        }
        else if (attach.Role)
        {
            // A receiver that asks for snd-settle-mode settled is in receive-and-delete mode.
            var consumer = new ConsumerEndpoint(queue, context.Link, connection, node.DeadLetter, attach.SndSettleMode == SenderSettleMode.Settled);
            queue.AddConsumer(consumer);
            context.Complete(consumer, 0);
        }
        else if (node.DeadLetter)
        {
            context.Complete(new Error(ErrorCode.NotAllowed) { Description = "A dead-letter queue cannot be sent to." });
        }
        else
        {
            context.Complete(new IncomingEndpoint(broker, queue), IncomingCredit);
        }
    }
}

/// <summary>The client's sending half of a request/response pair: each request is answered on the response link its reply-to names.</summary>
internal sealed class RequestEndpoint(Broker broker, EmulatorConnection connection, IRequestNode node) : LinkEndpoint
{
    public override void OnMessage(MessageContext messageContext)
    {
        var request = messageContext.Message;
        if (request.Properties?.ReplyTo is not { } replyTo || !connection.ResponseLinks.TryGetValue(replyTo, out var responder))
        {
            messageContext.Complete(new Error(ErrorCode.NotFound) { Description = "No response link is attached for the request's reply-to." });
            return;
        }

        Message response;
        try
        {
            response = node.Handle(connection, request);
        }
        catch (Exception ex)
        {
            broker.Fault(ex);
            response = ManagementNode.Reply(500, "The emulator failed to handle the request.", errorCondition: ErrorCode.InternalError);
        }

        response.Properties ??= new Properties();
        response.Properties.SetCorrelationId(request.Properties.GetMessageId());
        messageContext.Complete();
        responder.Send(response);
    }

    public override void OnFlow(FlowContext flowContext)
    {
    }

    public override void OnDisposition(DispositionContext dispositionContext)
    {
    }
}

/// <summary>The client's receiving half of a request/response pair; a reply waits for credit, as AMQP requires.</summary>
internal sealed class ResponseEndpoint(EmulatorConnection connection, string replyTo, ListenerLink link) : LinkEndpoint
{
    private readonly Queue<Message> _waiting = new();
    private int _credit;

    public void Send(Message response)
    {
        lock (_waiting)
        {
            _waiting.Enqueue(response);
            TransmitWhileCredit();
        }
    }

    public override void OnFlow(FlowContext flowContext)
    {
        lock (_waiting)
        {
            // As for receive links: AMQPNetLite zeroes the link's credit on a flow that does not add any.
            _credit = flowContext.Messages > 0 ? _credit + flowContext.Messages : 0;
            TransmitWhileCredit();
        }
    }

    public override void OnDisposition(DispositionContext dispositionContext)
    {
    }

    public override void OnLinkClosed(ListenerLink closed, Error error) =>
        connection.ResponseLinks.TryRemove(new KeyValuePair<string, ResponseEndpoint>(replyTo, this));

    private void TransmitWhileCredit()
    {
        while (_credit > 0 && _waiting.TryDequeue(out var response))
        {
            _credit--;
            try
            {
                link.SendMessage(response);
            }
            catch (Exception ex) when (ex is AmqpException or ObjectDisposedException)
            {
                // The client closed its response link (or connection) while the request was handled; nobody is left to answer.
                _waiting.Clear();
            }
        }
    }
}

/// <summary>A client sender on a queue: every transfer (a message or a batch) is enqueued and accepted.</summary>
internal sealed class IncomingEndpoint(Broker broker, EmulatedQueue queue) : LinkEndpoint
{
    public override void OnMessage(MessageContext messageContext)
    {
        try
        {
            var transfer = messageContext.Message;
            if (transfer.Encode().Length > broker.Options.MaxMessageSize)
            {
                messageContext.Complete(new Error(ErrorCode.MessageSizeExceeded) { Description = "The message is larger than max-message-size." });
                return;
            }

            queue.Accept(transfer);
            messageContext.Complete();
        }
        catch (Exception ex)
        {
            broker.Fault(ex);
            messageContext.Complete(new Error(ErrorCode.InternalError) { Description = "The emulator failed to enqueue the message." });
        }
    }

    public override void OnFlow(FlowContext flowContext)
    {
    }

    public override void OnDisposition(DispositionContext dispositionContext)
    {
    }
}

/// <summary>
/// A client receiver on a queue or its dead-letter subqueue. The queue pushes messages while it has credit; the
/// client's dispositions settle the locks, and the broker's reply settles the delivery (rcv-settle-mode second).
/// </summary>
internal sealed class ConsumerEndpoint(EmulatedQueue queue, ListenerLink link, EmulatorConnection connection, bool deadLetter, bool receiveAndDelete)
    : LinkEndpoint
{
    public EmulatorConnection Connection => connection;

    public bool DeadLetter => deadLetter;

    public bool ReceiveAndDelete => receiveAndDelete;

    /// <summary>Remaining link credit; only the queue touches it, under its lock.</summary>
    public int Credit { get; set; }

    public bool IsDraining => link.IsDraining;

    private bool IsClosing => link.IsClosed || link.Session.IsClosed || link.Session.Connection.IsClosed;

    public override void OnFlow(FlowContext flowContext) => queue.OnCredit(this, flowContext.Messages);

    public override void OnDisposition(DispositionContext dispositionContext)
    {
        if (dispositionContext.Message is not OutgoingMessage { LockToken: { } lockToken }) return;
        // When a link, its session or its connection closes, AMQPNetLite itself settles the unsettled deliveries as
        // released, or rejected with the closing error: that is no client asking to abandon or dead-letter. The lock
        // stays until it expires, as on Service Bus, where the SDK may still settle it through $management (a lost
        // connection releases it at once; see Broker.OnConnectionClosed).
        if (dispositionContext.DeliveryState is Released or Rejected && IsClosing) return;

        var disposition = Disposition.FromState(dispositionContext.DeliveryState);
        DeliveryState reply = disposition is null
            ? new Rejected { Error = new Error(ErrorCode.NotImplemented) { Description = "Only accepted, modified and rejected outcomes are emulated." } }
            : queue.Settle(lockToken, disposition.Value, SettlementSource.ReceiveLink)
                ? disposition.Value.Reply
                : new Rejected { Error = new Error(ManagementNode.MessageLockLost) { Description = ManagementNode.LockLostDescription } };
        if (dispositionContext.Settled) return;
        try
        {
            link.DisposeMessage(dispositionContext.Message, reply, settled: true);
        }
        catch (Exception ex) when (ex is AmqpException or ObjectDisposedException)
        {
            // The link closed while the settlement was applied; the client learns nothing more on it.
        }
    }

    public override void OnLinkClosed(ListenerLink closed, Error error) => queue.RemoveConsumer(this);

    /// <summary>
    /// Detaches the link from the broker's side and completes once the client has answered the detach; its locks
    /// stay (see <see cref="ServiceBusEmulator.DetachReceiversAsync"/>).
    /// </summary>
    public Task DetachAsync(Error error)
    {
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        link.AddClosedCallback((_, _) => closed.TrySetResult());
        link.Close(TimeSpan.Zero, error);
        return closed.Task;
    }

    public bool TrySend(Message message)
    {
        try
        {
            link.SendMessage(message);
            return true;
        }
        catch (Exception ex) when (ex is AmqpException or ObjectDisposedException)
        {
            // The link or its connection closed after the message was handed out.
            return false;
        }
    }

    public void CompleteDrain()
    {
        try
        {
            link.CompleteDrain();
        }
        catch (AmqpException)
        {
            // The link closed meanwhile; a closed link needs no drain answer.
        }
    }
}

/// <summary>A settlement request, from a link outcome or from update-disposition.</summary>
internal readonly record struct Disposition(
    SettlementKind Kind,
    DeliveryState Reply,
    IReadOnlyDictionary<string, object?>? PropertiesToModify = null,
    string? DeadLetterReason = null,
    string? DeadLetterErrorDescription = null)
{
    private static readonly Symbol DeadLetterReasonKey = "DeadLetterReason";
    private static readonly Symbol DeadLetterDescriptionKey = "DeadLetterErrorDescription";

    /// <summary>Maps an outcome as the SDK sends it; null for states the emulator does not settle (transactional ones).</summary>
    public static Disposition? FromState(DeliveryState? state) => state switch
    {
        Accepted accepted => new Disposition(SettlementKind.Completed, accepted),
        Modified { UndeliverableHere: true } defer => new Disposition(SettlementKind.Deferred, defer, ToProperties(defer.MessageAnnotations)),
        Modified abandon => new Disposition(SettlementKind.Abandoned, abandon, ToProperties(abandon.MessageAnnotations)),
        Released released => new Disposition(SettlementKind.Abandoned, released),
        // Answered with a bare rejected: the SDK raises on a rejected outcome that carries any error but not-found.
        Rejected rejected => new Disposition(
            SettlementKind.DeadLettered,
            new Rejected(),
            ToProperties(rejected.Error?.Info, except: [DeadLetterReasonKey, DeadLetterDescriptionKey]),
            rejected.Error?.Info?[DeadLetterReasonKey] as string,
            rejected.Error?.Info?[DeadLetterDescriptionKey] as string),
        _ => null,
    };

    public static IReadOnlyDictionary<string, object?>? ToProperties(Map? map, Symbol[]? except = null)
    {
        if (map is null) return null;
        var properties = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in map)
        {
            if (except is null || !except.Any(symbol => symbol.Equals(key))) properties[key.ToString()!] = value;
        }

        return properties;
    }
}
