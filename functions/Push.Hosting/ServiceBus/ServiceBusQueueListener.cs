using System.Collections.Concurrent;
using Amqp;
using Amqp.Framing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Push.Hosting.Configuration;
using Push.Hosting.Queues;

namespace Push.Hosting.ServiceBus;

/// <summary>
/// One queue's Service Bus trigger: a peek-lock receiver link (credit = prefetchCount or maxConcurrentCalls), at most
/// maxConcurrentCalls functions at once, each outcome mapped by <see cref="ServiceBusDisposition"/>, locks renewed while
/// a message is held, and a reconnect with back-off whenever the connection drops.
/// </summary>
internal sealed class ServiceBusQueueListener
{
    private static readonly TimeSpan DefaultLockRenewal = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MinLockRenewal = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan IgnoredCancellationWait = TimeSpan.FromSeconds(5);

    private readonly ServiceBusTriggerRegistration _registration;
    private readonly ServiceBusTriggerOptions _options;
    private readonly FunctionsHostOptions _hostOptions;
    private readonly ServiceBusConnectionString _connection;
    private readonly IServiceScopeFactory _scopes;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly ConcurrentDictionary<ServiceBusInFlightMessage, byte> _running = new();
    // RabbitMQ reports no delivery count: abandons are counted here (per host, by message id) so maxDeliveryCount holds.
    private readonly ConcurrentDictionary<string, int> _localAbandons = new();
    private readonly SemaphoreSlim _concurrency;
    private Task _loop = Task.CompletedTask;
    private volatile ServiceBusAmqpConnection? _current;
    private volatile ReceiverLink? _link;
    private volatile IMessageLockRenewer? _renewer;

    public ServiceBusQueueListener(ServiceBusTriggerRegistration registration, ServiceBusTriggerOptions options, FunctionsHostOptions hostOptions,
        ServiceBusConnectionString connection, IServiceScopeFactory scopes, ILogger logger, TimeProvider time)
    {
        _registration = registration;
        _options = options;
        _hostOptions = hostOptions;
        _connection = connection;
        _scopes = scopes;
        _logger = logger;
        _time = time;
        _concurrency = new SemaphoreSlim(options.MaxConcurrentCalls);
    }

    public string QueueName => _registration.QueueName;

    public int InFlightCount => _running.Count;

    /// <summary>Completes each time a receiver link is attached (tests wait on it after a broker restart).</summary>
    public int AttachCount => _attachCount;

    private int _attachCount;

    public void Start()
    {
        _logger.ListenerStarted(_registration.FunctionName, QueueName, _connection.Host, _options.Broker, _options.AuthMode,
            _options.MaxConcurrentCalls, _options.EffectiveCredit, _options.MaxDeliveryCount);
        _loop = Task.Run(ConnectLoopAsync);
    }

    /// <summary>
    /// Stops the credit, lets running functions finish until <paramref name="graceEnded"/>, then cancels the rest and
    /// releases their messages; closes the link and connection last so every settlement can still be sent.
    /// </summary>
    public async Task StopAsync(CancellationToken graceEnded)
    {
        await _stopping.CancelAsync();
        try
        {
            _link?.SetCredit(0, false);
        }
        catch (Exception ex) when (ex is AmqpException or ObjectDisposedException or InvalidOperationException)
        {
            // The link is already gone: nothing more will arrive anyway.
        }
        await _loop;

        var all = Task.WhenAll(_running.Keys.Select(entry => entry.Finished.Task));
        try
        {
            await all.WaitAsync(graceEnded);
        }
        catch (OperationCanceledException)
        {
            _logger.ShutdownGraceEnded(QueueName, _running.Count);
            await _abort.CancelAsync();
            try
            {
                await all.WaitAsync(IgnoredCancellationWait);
            }
            catch (TimeoutException)
            {
                foreach (var entry in _running.Keys) Settle(entry, ServiceBusDisposition.Release(), "release");
            }
        }
        await _abort.CancelAsync();
        await CloseCurrentAsync();
        _logger.ListenerStopped(_registration.FunctionName, QueueName);
    }

    private async Task ConnectLoopAsync()
    {
        var stopping = _stopping.Token;
        var delay = TimeSpan.FromSeconds(1);
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var connection = await ServiceBusAmqpConnection.OpenAsync(_connection, _options, _time, stopping);
                _current = connection;
                if (_options.Broker == ServiceBusBroker.ServiceBus)
                {
                    await connection.AuthorizeAsync(QueueName, stopping);
                    _renewer = new ManagementLockRenewer(new AmqpRequestResponseLink(connection.Session, ServiceBusAddresses.Management(QueueName)));
                }
                var attached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var closed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
                var link = new ReceiverLink(connection.Session, "trigger-" + QueueName + "-" + Guid.NewGuid().ToString("N")[..8], new Attach
                {
                    Source = new Source { Address = ServiceBusAddresses.Queue(QueueName, _options.Broker) },
                    Target = new Target { Address = "receiver-" + Guid.NewGuid().ToString("N") },
                    // Peek-lock: deliveries stay unsettled until our disposition; settling first-mode keeps one round trip.
                    SndSettleMode = SenderSettleMode.Unsettled,
                    RcvSettleMode = ReceiverSettleMode.First,
                }, (_, attach) =>
                {
                    if (attach.Source is not null) attached.TrySetResult();
                });
                link.AddClosedCallback((_, error) => closed.TrySetResult(error?.Condition.ToString() ?? "link closed"));
                _link = link;
                link.Start(_options.EffectiveCredit, OnMessage);

                var first = await Task.WhenAny(attached.Task, closed.Task, connection.Lost).WaitAsync(stopping);
                if (first == attached.Task)
                {
                    Interlocked.Increment(ref _attachCount);
                    _logger.Attached(QueueName);
                    delay = TimeSpan.FromSeconds(1);
                }
                var lost = await Task.WhenAny(closed.Task, connection.Lost).WaitAsync(stopping);
                _logger.ConnectionLost(QueueName, await lost);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _logger.ConnectFailed(QueueName, ex.GetType().Name, (ex as AmqpException)?.Error?.Condition.ToString(), delay);
            }
            await CloseCurrentAsync();
            try
            {
                // ±20 % jitter so hosts that lost the same broker do not return in step.
                await Task.Delay(delay * (0.8 + Random.Shared.NextDouble() * 0.4), _time, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxReconnectDelay.Ticks));
        }
    }

    private async Task CloseCurrentAsync()
    {
        var renewer = _renewer;
        var connection = _current;
        _renewer = null;
        _current = null;
        _link = null;
        if (renewer is not null) await renewer.DisposeAsync();
        if (connection is not null) await connection.DisposeAsync();
    }

    private void OnMessage(IReceiverLink receiver, Message message)
    {
        var link = (ReceiverLink)receiver;
        ServiceBusReceivedMessage received;
        try
        {
            received = ServiceBusReceivedMessage.From(message);
        }
        catch (Exception ex) when (ex is FormatException or InvalidCastException or OverflowException)
        {
            link.Reject(message, null);
            _logger.SettlementFailed(QueueName, "unreadable", "dead-letter", ex.GetType().Name);
            return;
        }
        var entry = new ServiceBusInFlightMessage(link, message, received, _time.GetUtcNow());
        if (_stopping.IsCancellationRequested)
        {
            Settle(entry, ServiceBusDisposition.Release(), "release");
            return;
        }
        if (_localAbandons.TryGetValue(received.MessageId, out var abandons))
        {
            entry.DeliveryCount = Math.Max(entry.DeliveryCount, abandons + 1L);
        }
        _running.TryAdd(entry, 0);
        _ = Task.Run(() => ProcessAsync(entry));
    }

    private async Task ProcessAsync(ServiceBusInFlightMessage entry)
    {
        using var renewal = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
        var renewing = Task.CompletedTask;
        try
        {
            renewing = RenewLockAsync(entry, renewal.Token);
            await ProcessCoreAsync(entry);
        }
        catch (Exception ex)
        {
            // Only a host bug gets here: the unsettled delivery comes back when its lock or link ends.
            _logger.SettlementFailed(QueueName, entry.Received.MessageId, "process", ex.GetType().Name);
        }
        finally
        {
            await renewal.CancelAsync();
            await renewing;
            _running.TryRemove(entry, out _);
            entry.Finished.TrySetResult();
        }
    }

    private async Task ProcessCoreAsync(ServiceBusInFlightMessage entry)
    {
        try
        {
            await _concurrency.WaitAsync(_stopping.Token);
        }
        catch (OperationCanceledException)
        {
            Settle(entry, ServiceBusDisposition.Release(), "release");
            return;
        }

        QueueSettlement? settlement = null;
        Exception? failure = null;
        var received = entry.Received;
        _logger.MessageReceived(QueueName, received.MessageId, entry.DeliveryCount, received.SequenceNumber);
        try
        {
            var message = new QueueTriggerMessage(QueueName, received.MessageId, received.Body, entry.DeliveryCount,
                received.EnqueuedTime, received.ExpiresOn)
            {
                MaxDequeueCount = _options.MaxDeliveryCount,
            };
            using var timeout = _hostOptions.FunctionTimeout is { } limit ? new CancellationTokenSource(limit, _time) : new CancellationTokenSource();
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _abort.Token);
            try
            {
                await using var scope = _scopes.CreateAsyncScope();
                var function = (IQueueTriggeredFunction)scope.ServiceProvider.GetRequiredService(_registration.FunctionType);
                settlement = await function.RunAsync(message, linked.Token)
                    ?? throw new InvalidOperationException("the function returned no settlement");
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        }
        finally
        {
            _concurrency.Release();
        }

        if (failure is OperationCanceledException && _abort.IsCancellationRequested)
        {
            Settle(entry, ServiceBusDisposition.Release(), "release");
            return;
        }
        var atLimit = entry.DeliveryCount >= _options.MaxDeliveryCount;
        if (failure is not null)
        {
            var reason = failure is OperationCanceledException ? "FunctionTimeout" : "FunctionFailed";
            _logger.FunctionFailed(_registration.FunctionName, QueueName, received.MessageId, entry.DeliveryCount, reason, failure.GetType().Name);
            if (atLimit)
            {
                DeadLetter(entry, ServiceBusDeadLetterReasons.MaxDeliveryCountExceeded,
                    $"{reason} on delivery {entry.DeliveryCount} of {_options.MaxDeliveryCount}");
            }
            else
            {
                Abandon(entry, TimeSpan.Zero, reason);
            }
            return;
        }
        switch (settlement)
        {
            case QueueSettlement.RetrySettlement retry when atLimit:
                DeadLetter(entry, ServiceBusDeadLetterReasons.MaxDeliveryCountExceeded,
                    $"Retry requested on delivery {entry.DeliveryCount} of {_options.MaxDeliveryCount}; last retry reason: {retry.Reason}");
                break;
            case QueueSettlement.RetrySettlement retry:
                await AbandonAfterAsync(entry, retry.Delay, retry.Reason);
                break;
            case QueueSettlement.DeadLetterSettlement deadLetter:
                DeadLetter(entry, deadLetter.Reason, deadLetter.Description);
                break;
            default:
                if (Settle(entry, ServiceBusDisposition.Complete(), "complete"))
                {
                    _localAbandons.TryRemove(received.MessageId, out _);
                    _logger.MessageCompleted(QueueName, received.MessageId, entry.DeliveryCount);
                }
                break;
        }
    }

    /// <summary>
    /// Service Bus has no visibility delay: the message is held (its lock renewed) for the retry delay, capped so the
    /// hold ends within maxAutoLockRenewalDuration of receipt, then abandoned. Shutdown abandons at once.
    /// </summary>
    private async Task AbandonAfterAsync(ServiceBusInFlightMessage entry, TimeSpan delay, string reason)
    {
        var remaining = _options.MaxAutoLockRenewalDuration - (_time.GetUtcNow() - entry.ReceivedOn);
        var wait = delay < remaining ? delay : remaining;
        if (wait > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(wait, _time, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                // Shutting down: give the message back now rather than hold it past the host's life.
            }
        }
        Abandon(entry, wait > TimeSpan.Zero ? wait : TimeSpan.Zero, reason);
    }

    private void Abandon(ServiceBusInFlightMessage entry, TimeSpan delay, string reason)
    {
        // Counted before settling: RabbitMQ redelivers a released message at once, possibly before Settle returns.
        var counted = _options.Broker == ServiceBusBroker.RabbitMq;
        if (counted)
        {
            _localAbandons.AddOrUpdate(entry.Received.MessageId, 1, (_, count) => count + 1);
        }
        if (Settle(entry, ServiceBusDisposition.Abandon(_options.Broker), "abandon"))
        {
            _logger.MessageAbandoned(QueueName, entry.Received.MessageId, entry.DeliveryCount, delay, reason);
        }
        else if (counted)
        {
            _localAbandons.AddOrUpdate(entry.Received.MessageId, 0, (_, count) => Math.Max(0, count - 1));
        }
    }

    private void DeadLetter(ServiceBusInFlightMessage entry, string reason, string description)
    {
        if (Settle(entry, ServiceBusDisposition.DeadLetter(reason, description), "dead-letter"))
        {
            _localAbandons.TryRemove(entry.Received.MessageId, out _);
            _logger.MessageDeadLettered(QueueName, entry.Received.MessageId, entry.DeliveryCount, reason);
        }
    }

    private bool Settle(ServiceBusInFlightMessage entry, DeliveryState state, string action)
    {
        if (!entry.TryClaimSettlement()) return false;
        if (entry.Link.IsClosed)
        {
            // The delivery died with its link: the broker has already given it back (its lock is gone).
            _logger.SettlementFailed(QueueName, entry.Received.MessageId, action, "LinkClosed");
            return false;
        }
        try
        {
            entry.Link.Complete(entry.Message, state);
            if (state is Released) _logger.MessageReleased(QueueName, entry.Received.MessageId, entry.DeliveryCount);
            return true;
        }
        catch (Exception ex) when (ex is AmqpException or ObjectDisposedException or InvalidOperationException)
        {
            _logger.SettlementFailed(QueueName, entry.Received.MessageId, action, ex.GetType().Name);
            return false;
        }
    }

    /// <summary>Renews the lock at half its remaining time while the message is held, up to maxAutoLockRenewalDuration.</summary>
    private async Task RenewLockAsync(ServiceBusInFlightMessage entry, CancellationToken stop)
    {
        var renewer = _renewer;
        if (renewer is null || entry.Received.LockToken is not { } lockToken) return;
        var renewUntil = entry.ReceivedOn + _options.MaxAutoLockRenewalDuration;
        while (!stop.IsCancellationRequested)
        {
            var now = _time.GetUtcNow();
            var wait = entry.LockedUntil is { } until ? (until - now) / 2 : DefaultLockRenewal;
            if (wait < MinLockRenewal) wait = MinLockRenewal;
            if (now + wait > renewUntil) return;
            try
            {
                await Task.Delay(wait, _time, stop);
                entry.LockedUntil = await renewer.RenewAsync(lockToken, stop) ?? _time.GetUtcNow() + DefaultLockRenewal * 2;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _logger.LockRenewalFailed(QueueName, entry.Received.MessageId, ex.GetType().Name);
                if (ex is MessageLockLostException) return;
            }
        }
    }
}
