using System.Collections.Concurrent;
using System.Threading.Channels;
using Amqp;
using Amqp.Framing;
using Amqp.Listener;
using Amqp.Types;
using Push.Hosting.ServiceBus;
using Push.Testing;

namespace Push.Hosting.Tests.ServiceBus;

/// <summary>
/// An in-process AMQP 1.0 peer (AMQPNetLite's ContainerHost, plain TCP on a free loopback port) that plays the parts
/// of Service Bus the trigger relies on: SASL ANONYMOUS, $cbs put-token, a peek-lock queue that records dispositions,
/// &lt;queue&gt;/$management renew-lock, and a queue target that records what senders send. It records; the tests judge.
/// </summary>
public sealed class ServiceBusTestPeer : IAsyncDisposable
{
    private readonly ContainerHost _host;
    private readonly Channel<Message> _outgoing = Channel.CreateUnbounded<Message>();

    public ServiceBusTestPeer(string queueName)
    {
        QueueName = queueName;
        Port = FreePorts.Next();
        _host = new ContainerHost(new Address($"amqp://127.0.0.1:{Port}"));
        _host.Listeners[0].SASL.EnableAnonymousMechanism = true;
        _host.RegisterRequestProcessor(ServiceBusAddresses.Cbs, new RequestProcessor(this, isCbs: true));
        _host.RegisterRequestProcessor(ServiceBusAddresses.Management(queueName), new RequestProcessor(this, isCbs: false));
        _host.RegisterMessageSource(queueName, new Source(this));
        _host.RegisterMessageProcessor(queueName, new Target(this));
        _host.Open();
    }

    public string QueueName { get; }
    public int Port { get; }

    /// <summary>How far ahead x-opt-locked-until and renewed expirations are set (short, so renewals come quickly).</summary>
    public TimeSpan LockDuration { get; set; } = TimeSpan.FromSeconds(1);

    public ConcurrentQueue<Message> CbsRequests { get; } = new();
    public ConcurrentQueue<Message> ManagementRequests { get; } = new();
    public ConcurrentQueue<(string MessageId, DeliveryState State)> Dispositions { get; } = new();
    public ConcurrentQueue<Message> Received { get; } = new();

    public string ConnectionString(string key = "test-key") =>
        $"Endpoint=sb://127.0.0.1:{Port}/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={key};TransportType=amqp";

    /// <summary>Offers a message as Service Bus would: lock token, enqueued time, sequence number, locked-until, delivery count.</summary>
    public Guid Enqueue(string messageId, byte[] body, uint deliveryCount = 0, DateTime? enqueued = null, long sequenceNumber = 1)
    {
        var lockToken = Guid.NewGuid();
        var message = new Message
        {
            BodySection = new Data { Binary = body },
            Properties = new Properties { MessageId = messageId },
            Header = new Header { DeliveryCount = deliveryCount },
            MessageAnnotations = new MessageAnnotations
            {
                [ServiceBusReceivedMessage.EnqueuedTimeAnnotation] = enqueued ?? DateTime.UtcNow,
                [ServiceBusReceivedMessage.SequenceNumberAnnotation] = sequenceNumber,
                [ServiceBusReceivedMessage.LockedUntilAnnotation] = DateTime.UtcNow + LockDuration,
                [ServiceBusReceivedMessage.LockTokenAnnotation] = lockToken,
            },
        };
        _outgoing.Writer.TryWrite(message);
        return lockToken;
    }

    public ValueTask DisposeAsync()
    {
        _host.Close();
        return ValueTask.CompletedTask;
    }

    private sealed class Source(ServiceBusTestPeer peer) : IMessageSource
    {
        public async Task<ReceiveContext> GetMessageAsync(ListenerLink link) =>
            new(link, await peer._outgoing.Reader.ReadAsync());

        public void DisposeMessage(ReceiveContext receiveContext, DispositionContext dispositionContext)
        {
            peer.Dispositions.Enqueue((receiveContext.Message.Properties.MessageId, dispositionContext.DeliveryState));
            dispositionContext.Complete();
        }
    }

    private sealed class Target(ServiceBusTestPeer peer) : IMessageProcessor
    {
        public int Credit => 100;

        public void Process(MessageContext messageContext)
        {
            peer.Received.Enqueue(messageContext.Message);
            messageContext.Complete();
        }
    }

    private sealed class RequestProcessor(ServiceBusTestPeer peer, bool isCbs) : IRequestProcessor
    {
        public int Credit => 100;

        public void Process(RequestContext requestContext)
        {
            var request = requestContext.Message;
            var response = new Message
            {
                Properties = new Properties { CorrelationId = request.Properties.MessageId },
                ApplicationProperties = new ApplicationProperties(),
            };
            if (isCbs)
            {
                peer.CbsRequests.Enqueue(request);
                response.ApplicationProperties["status-code"] = 202;
            }
            else
            {
                peer.ManagementRequests.Enqueue(request);
                response.ApplicationProperties["status-code"] = 200;
                response.BodySection = new AmqpValue
                {
                    Value = new Map { ["expirations"] = new[] { DateTime.UtcNow + peer.LockDuration } },
                };
            }
            requestContext.Complete(response);
        }
    }
}
