using System.Collections.Concurrent;
using Amqp;
using Amqp.Framing;

namespace Push.Hosting.ServiceBus;

/// <summary>
/// A request/response pair of links to one node ($cbs, &lt;queue&gt;/$management): requests carry a message-id and a
/// reply-to naming our receiving link; responses are matched by correlation-id.
/// </summary>
internal sealed class AmqpRequestResponseLink : IAsyncDisposable
{
    private readonly SenderLink _sender;
    private readonly ReceiverLink _receiver;
    private readonly string _replyTo;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<Message>> _pending = new();

    public AmqpRequestResponseLink(Session session, string node)
    {
        Node = node;
        var id = Guid.NewGuid().ToString("N");
        _replyTo = "reply-" + id;
        _sender = new SenderLink(session, "req-" + id, new Attach
        {
            Source = new Source { Address = _replyTo },
            Target = new Target { Address = node },
            SndSettleMode = SenderSettleMode.Settled,
        }, null);
        _receiver = new ReceiverLink(session, "rsp-" + id, new Attach
        {
            Source = new Source { Address = node },
            Target = new Target { Address = _replyTo },
        }, null);
        _receiver.Start(50, OnResponse);
        _receiver.AddClosedCallback((_, _) => FailAll());
        _sender.AddClosedCallback((_, _) => FailAll());
    }

    public string Node { get; }

    public bool IsClosed => _sender.IsClosed || _receiver.IsClosed;

    /// <summary>Sends <paramref name="request"/> and returns the response (status checking is the caller's).</summary>
    public async Task<Message> RequestAsync(Message request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid().ToString("N");
        request.Properties ??= new Properties();
        request.Properties.MessageId = id;
        request.Properties.ReplyTo = _replyTo;
        var response = new TaskCompletionSource<Message>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = response;
        try
        {
            // Pre-settled: the answer is the response message, not the disposition.
            _sender.Send(request, null, null);
            return await response.Task.WaitAsync(timeout, cancellationToken);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>The response's <c>status-code</c> (or <c>statusCode</c>) application property; 0 if absent.</summary>
    public static int StatusCode(Message response)
    {
        var properties = response.ApplicationProperties?.Map;
        if (properties is null) return 0;
        var value = properties["status-code"] ?? properties["statusCode"];
        return value is null ? 0 : Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The response's status description, without anything the request carried.</summary>
    public static string? StatusDescription(Message response)
    {
        var properties = response.ApplicationProperties?.Map;
        return (properties?["status-description"] ?? properties?["statusDescription"]) as string;
    }

    private void OnResponse(IReceiverLink link, Message message)
    {
        link.Accept(message);
        var correlation = message.Properties?.GetCorrelationId()?.ToString();
        if (correlation is not null && _pending.TryRemove(correlation, out var waiter)) waiter.TrySetResult(message);
    }

    private void FailAll()
    {
        foreach (var key in _pending.Keys)
        {
            if (_pending.TryRemove(key, out var waiter))
            {
                waiter.TrySetException(new AmqpException(ErrorCode.DetachForced, $"the link to {Node} closed before the response arrived"));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        FailAll();
        await CloseQuietlyAsync(_sender);
        await CloseQuietlyAsync(_receiver);
    }

    internal static async Task CloseQuietlyAsync(AmqpObject amqpObject)
    {
        if (amqpObject.IsClosed) return;
        try
        {
            await amqpObject.CloseAsync(TimeSpan.FromSeconds(5), null);
        }
        catch (Exception ex) when (ex is AmqpException or TimeoutException or ObjectDisposedException or InvalidOperationException)
        {
            // Closing an already broken link or connection: nothing left to release.
        }
    }
}
