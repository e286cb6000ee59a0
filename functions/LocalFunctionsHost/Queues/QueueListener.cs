using System.Collections.Concurrent;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using LocalFunctionsHost.Configuration;
using LocalFunctionsHost.Functions;
using LocalFunctionsHost.Telemetry;
using Microsoft.Extensions.Logging;

namespace LocalFunctionsHost.Queues;

/// <summary>
/// One queue-triggered function's listener, with the Functions queue listener's semantics: batches of
/// <c>batchSize</c>, a new batch once no more than <c>newBatchThreshold</c> run, exponential polling back-off to
/// <c>maxPollingInterval</c> while empty; success deletes the message; a failure (the function threw, timed out, or the
/// worker died) makes it visible again after <c>visibilityTimeout</c>, and on the delivery that reaches
/// <c>maxDequeueCount</c> its text is copied unchanged to <c>&lt;queue&gt;-poison</c> and the original deleted. A text
/// that is not valid for <c>messageEncoding</c> goes to the poison queue unchanged at its first receive.
/// </summary>
internal sealed partial class QueueListener
{
    /// <summary>How long a function that ignores cancellation is waited for once the grace period has ended.</summary>
    private static readonly TimeSpan IgnoredCancellationWait = TimeSpan.FromSeconds(5);

    private readonly FunctionDescriptor _function;
    private readonly QueueTrigger _trigger;
    private readonly QueuesOptions _options;
    private readonly TimeSpan _lease;
    private readonly QueueClient _queue;
    private readonly QueueClient _poisonQueue;
    private readonly FunctionInvoker _invoker;
    private readonly HostTelemetry _telemetry;
    private readonly ILogger _logger;

    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly ConcurrentDictionary<InFlightMessage, byte> _running = new();
    private readonly SemaphoreSlim _slotFreed = new(0);
    private Task _loop = Task.CompletedTask;

    public QueueListener(FunctionDescriptor function, QueuesOptions options, TimeSpan lease, QueueClient queue, QueueClient poisonQueue,
        FunctionInvoker invoker, HostTelemetry telemetry, ILogger logger)
    {
        _function = function;
        _trigger = function.Queue ?? throw new ArgumentException("not a queue-triggered function", nameof(function));
        _options = options;
        _lease = lease;
        _queue = queue;
        _poisonQueue = poisonQueue;
        _invoker = invoker;
        _telemetry = telemetry;
        _logger = logger;
    }

    public string QueueName => _trigger.QueueName;

    public void Start()
    {
        LogListenerStarted(_function.Name, QueueName, _options.BatchSize, _options.NewBatchThreshold, _options.MaxPollingInterval,
            _options.MaxDequeueCount, _options.VisibilityTimeout);
        _loop = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>
    /// Stops receiving, lets running invocations finish until <paramref name="graceEnded"/>, then cancels the rest and
    /// makes their messages visible again at once (not deleted, not counted as a failure beyond their receive).
    /// </summary>
    public async Task StopAsync(CancellationToken graceEnded)
    {
        await _stopping.CancelAsync();
        try
        {
            await _loop.WaitAsync(graceEnded);
        }
        catch (OperationCanceledException)
        {
            // A receive hung past the grace period: the messages it may yet return are released by the loop itself.
        }

        var all = Task.WhenAll(_running.Keys.Select(entry => entry.Finished.Task));
        try
        {
            await all.WaitAsync(graceEnded);
        }
        catch (OperationCanceledException)
        {
            LogShutdownGraceEnded(QueueName, _running.Count);
            await _abort.CancelAsync();
            try
            {
                await all.WaitAsync(FunctionInvoker.CancelGrace + IgnoredCancellationWait);
            }
            catch (TimeoutException)
            {
                foreach (var entry in _running.Keys)
                {
                    if (!entry.TryClaimSettlement()) continue;
                    LogFunctionIgnoredCancellation(_function.Name, QueueName, entry.MessageId);
                    await entry.StopRenewalAsync();
                    await ReleaseAsync(entry);
                }
            }
        }
        await _abort.CancelAsync();
        LogListenerStopped(_function.Name, QueueName);
    }

    private async Task ReceiveLoopAsync()
    {
        var backoff = new PollingBackoff(_options.MaxPollingInterval);
        var stopping = _stopping.Token;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                while (_running.Count > _options.NewBatchThreshold)
                {
                    await _slotFreed.WaitAsync(stopping);
                }

                // Not cancelled by stopping: a receive cancelled after the service dequeued would leave its messages
                // invisible for a whole lease; instead what arrives after stop is released at once below.
                QueueMessage[] messages = (await _queue.ReceiveMessagesAsync(_options.BatchSize, _lease, _abort.Token)).Value;
                if (messages.Length == 0)
                {
                    var delay = backoff.Next();
                    LogPollingBackoff(QueueName, delay);
                    await Task.Delay(delay, stopping);
                    continue;
                }
                backoff.Reset();
                foreach (var message in messages)
                {
                    var entry = new InFlightMessage(message, DateTimeOffset.UtcNow);
                    if (stopping.IsCancellationRequested)
                    {
                        entry.TryClaimSettlement();
                        await ReleaseAsync(entry);
                        continue;
                    }
                    _running.TryAdd(entry, 0);
                    _ = Task.Run(() => ProcessAsync(entry));
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested || _abort.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogReceiveFailed(_logger, QueueName, TypeName(ex), (ex as RequestFailedException)?.Status ?? 0, (ex as RequestFailedException)?.ErrorCode);
                try
                {
                    await Task.Delay(backoff.Next(), stopping);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    private async Task ProcessAsync(InFlightMessage entry)
    {
        try
        {
            await ProcessCoreAsync(entry);
        }
        catch (Exception ex)
        {
            // Only a bug in the host gets here (settlement failures are handled): the lease expiry brings the message back.
            LogSettlementFailed(QueueName, entry.MessageId, "process", TypeName(ex), 0, null);
        }
        finally
        {
            _running.TryRemove(entry, out _);
            _slotFreed.Release();
            entry.Finished.TrySetResult();
        }
    }

    private async Task ProcessCoreAsync(InFlightMessage entry)
    {
        LogMessageReceived(QueueName, entry.MessageId, entry.DequeueCount);
        if (entry.DequeueCount > _options.MaxDequeueCount)
        {
            // Delivered more often than allowed without a settled failure (e.g. its host died holding it on its last
            // delivery): poisoned without running again, as the Functions queue processor does.
            if (entry.TryClaimSettlement()) await PoisonAsync(entry, "max_dequeue_count");
            return;
        }
        // With the SDK's encoding left at None, Body holds the message text exactly as stored.
        var text = entry.Message.Body.ToString();
        if (!MessageCodec.TryDecode(text, _options.MessageEncoding, out var body))
        {
            LogUndecodable(QueueName, entry.MessageId);
            if (entry.TryClaimSettlement()) await PoisonAsync(entry, "undecodable");
            return;
        }

        entry.StartRenewal(_queue, _lease, _logger);
        var result = await _invoker.InvokeAsync(_function, $"New queue message detected on '{QueueName}'.",
            request => QueueBinding.Fill(request, _function.Name, _trigger, entry, body), _abort.Token);
        await entry.StopRenewalAsync();
        if (!entry.TryClaimSettlement()) return;

        if (result.Succeeded)
        {
            await DeleteAsync(entry, "complete");
        }
        else if (!result.CountsAsFailure)
        {
            await ReleaseAsync(entry);
        }
        else if (entry.DequeueCount >= _options.MaxDequeueCount)
        {
            await PoisonAsync(entry, "max_dequeue_count");
        }
        else
        {
            await SetVisibilityAsync(entry, _options.VisibilityTimeout, "abandon");
        }
    }

    /// <summary>
    /// Copies the message text unchanged to <c>&lt;queue&gt;-poison</c> (creating it if missing), then deletes the
    /// original: a crash in between leaves a duplicate, never a loss. The host writes no reason, as the Functions host.
    /// </summary>
    private async Task PoisonAsync(InFlightMessage entry, string reason)
    {
        var text = entry.Message.Body.ToString();
        try
        {
            try
            {
                await _poisonQueue.SendMessageAsync(text, CancellationToken.None);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                await _poisonQueue.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None);
                await _poisonQueue.SendMessageAsync(text, CancellationToken.None);
            }
        }
        catch (Exception ex)
        {
            LogSettlementFailed(QueueName, entry.MessageId, "poison", TypeName(ex), (ex as RequestFailedException)?.Status ?? 0,
                (ex as RequestFailedException)?.ErrorCode);
            return;
        }
        _telemetry.Poisoned(QueueName, reason);
        LogMessagePoisoned(entry.MessageId, entry.DequeueCount, _options.MaxDequeueCount, _poisonQueue.Name, reason);
        await DeleteAsync(entry, "poison");
    }

    private async Task ReleaseAsync(InFlightMessage entry)
    {
        if (await SetVisibilityAsync(entry, TimeSpan.Zero, "release"))
        {
            LogMessageReleased(QueueName, entry.MessageId, entry.DequeueCount);
        }
    }

    private async Task<bool> DeleteAsync(InFlightMessage entry, string action)
    {
        try
        {
            await _queue.DeleteMessageAsync(entry.MessageId, entry.PopReceipt, CancellationToken.None);
            return true;
        }
        catch (Exception ex)
        {
            LogSettlementFailure(entry, action, ex);
            return false;
        }
    }

    private async Task<bool> SetVisibilityAsync(InFlightMessage entry, TimeSpan visibility, string action)
    {
        try
        {
            await _queue.UpdateMessageAsync(entry.MessageId, entry.PopReceipt, (string?)null, visibility, CancellationToken.None);
            return true;
        }
        catch (Exception ex)
        {
            LogSettlementFailure(entry, action, ex);
            return false;
        }
    }

    private void LogSettlementFailure(InFlightMessage entry, string action, Exception ex)
    {
        if (ex is RequestFailedException { Status: 404 } notFound)
        {
            LogLeaseLost(_logger, QueueName, entry.MessageId, notFound.Status, notFound.ErrorCode);
            return;
        }
        LogSettlementFailed(QueueName, entry.MessageId, action, TypeName(ex), (ex as RequestFailedException)?.Status ?? 0,
            (ex as RequestFailedException)?.ErrorCode);
    }

    private static string TypeName(Exception ex) => ex.GetType().FullName ?? ex.GetType().Name;
}
