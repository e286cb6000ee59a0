using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Push.Hosting.Configuration;

namespace Push.Hosting.Queues;

/// <summary>
/// One queue's trigger: its own polling loop and in-flight budget, so one queue's backlog never delays another's.
/// Behaves as the Azure Functions queue listener (batches, newBatchThreshold, exponential polling back-off, poison
/// after maxDequeueCount) plus the explicit settlements of <see cref="QueueSettlement"/>.
/// </summary>
internal sealed class QueueListener
{
    /// <summary>Storage's limit on one message's text.</summary>
    private const int MaxMessageTextBytes = 64 * 1024;

    /// <summary>How long a function that ignores cancellation is waited for once the grace period has ended.</summary>
    private static readonly TimeSpan IgnoredCancellationWait = TimeSpan.FromSeconds(5);

    /// <summary>Dead letters stay until an operator replays or purges them, rather than vanishing after Storage's default 7 days.</summary>
    private static readonly TimeSpan NeverExpires = TimeSpan.FromSeconds(-1);

    private readonly QueueTriggerRegistration _registration;
    private readonly QueueTriggerOptions _options;
    private readonly FunctionsHostOptions _hostOptions;
    private readonly QueueClient _queue;
    private readonly QueueClient _poisonQueue;
    private readonly IServiceScopeFactory _scopes;
    private readonly QueueTriggerTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly ConcurrentDictionary<InFlightMessage, byte> _running = new();
    private readonly SemaphoreSlim _slotFreed = new(0);
    private Task _loop = Task.CompletedTask;

    public QueueListener(QueueTriggerRegistration registration, QueueTriggerOptions options, FunctionsHostOptions hostOptions,
        QueueClient queue, QueueClient poisonQueue, IServiceScopeFactory scopes, QueueTriggerTelemetry telemetry, ILogger logger,
        TimeProvider time)
    {
        _registration = registration;
        _options = options;
        _hostOptions = hostOptions;
        _queue = queue;
        _poisonQueue = poisonQueue;
        _scopes = scopes;
        _telemetry = telemetry;
        _logger = logger;
        _time = time;
    }

    public string QueueName => _registration.QueueName;

    public int InFlightCount => _running.Count;

    public void Start()
    {
        _logger.ListenerStarted(_registration.FunctionName, QueueName, _options.BatchSize, _options.NewBatchThreshold,
            _options.MaxPollingInterval, _options.MaxDequeueCount);
        _loop = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>
    /// Stops receiving, lets running functions finish until <paramref name="graceEnded"/>, then cancels the rest and
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
            _logger.ShutdownGraceEnded(QueueName, _running.Count);
            await _abort.CancelAsync();
            try
            {
                await all.WaitAsync(IgnoredCancellationWait);
            }
            catch (TimeoutException)
            {
                foreach (var entry in _running.Keys)
                {
                    if (!entry.TryClaimSettlement()) continue;
                    _logger.FunctionIgnoredCancellation(_registration.FunctionName, QueueName, entry.MessageId);
                    await entry.StopRenewalAsync();
                    await ReleaseAsync(entry);
                }
            }
        }
        await _abort.CancelAsync();
        _logger.ListenerStopped(_registration.FunctionName, QueueName);
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
                QueueMessage[] messages = (await _queue.ReceiveMessagesAsync(_options.BatchSize, _options.LeaseDuration, _abort.Token)).Value;
                if (messages.Length == 0)
                {
                    await Task.Delay(backoff.Next(), _time, stopping);
                    continue;
                }
                backoff.Reset();
                foreach (var message in messages)
                {
                    var entry = new InFlightMessage(message, _time.GetUtcNow());
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
                _logger.ReceiveFailed(QueueName, TypeName(ex), (ex as RequestFailedException)?.Status ?? 0, (ex as RequestFailedException)?.ErrorCode);
                try
                {
                    await Task.Delay(backoff.Next(), _time, stopping);
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
            _logger.SettlementFailed(QueueName, entry.MessageId, "process", TypeName(ex), 0, null);
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
        _telemetry.Received(QueueName);
        _logger.MessageReceived(QueueName, entry.MessageId, entry.DequeueCount);
        using var activity = QueueTriggerTelemetry.ActivitySource.StartActivity(_registration.FunctionName + " process", ActivityKind.Consumer);
        activity?.SetTag("messaging.system", "azure_storage_queues");
        activity?.SetTag("messaging.destination.name", QueueName);
        activity?.SetTag("messaging.message.id", entry.MessageId);
        activity?.SetTag("push.hosting.function", _registration.FunctionName);
        activity?.SetTag("push.hosting.dequeue_count", entry.DequeueCount);

        // With the SDK's encoding left at None, Body holds the message text exactly as stored.
        var text = entry.Message.Body.ToString();
        if (!MessageCodec.TryDecode(text, _options.MessageEncoding, out var body))
        {
            activity?.SetTag("push.hosting.settlement", "dead-letter");
            if (entry.TryClaimSettlement())
            {
                await DeadLetterAsync(entry, DeadLetterReasons.UndecodableMessage,
                    "The message text is not valid base64 (the queue's messageEncoding is base64)", exceptionType: null);
            }
            return;
        }

        entry.StartRenewal(_queue, _options.LeaseDuration, _logger);
        var message = new QueueTriggerMessage(QueueName, entry.MessageId, body, entry.DequeueCount, entry.Message.InsertedOn, entry.Message.ExpiresOn)
        {
            MaxDequeueCount = _options.MaxDequeueCount,
        };

        QueueSettlement? settlement = null;
        Exception? failure = null;
        var started = _time.GetTimestamp();
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
        var shutdown = _abort.IsCancellationRequested;
        var timedOut = timeout.IsCancellationRequested && !shutdown;

        await entry.StopRenewalAsync();
        if (!entry.TryClaimSettlement()) return;

        string outcome;
        if (failure is not null && shutdown && failure is OperationCanceledException)
        {
            outcome = "released";
            await ReleaseAsync(entry);
        }
        else if (failure is not null)
        {
            var reason = timedOut ? "FunctionTimeout" : "FunctionFailed";
            outcome = reason;
            var exceptionType = TypeName(failure);
            _telemetry.Failed(QueueName, reason);
            _logger.FunctionFailed(_registration.FunctionName, QueueName, entry.MessageId, entry.DequeueCount, reason, exceptionType);
            if (entry.DequeueCount >= _options.MaxDequeueCount)
            {
                await DeadLetterAsync(entry, DeadLetterReasons.MaxDequeueCountExceeded,
                    $"{reason} on delivery {entry.DequeueCount} of {_options.MaxDequeueCount}", exceptionType);
            }
            else
            {
                await SetVisibilityAsync(entry, _options.VisibilityTimeout, "abandon");
            }
        }
        else
        {
            switch (settlement)
            {
                case QueueSettlement.RetrySettlement retry when entry.DequeueCount >= _options.MaxDequeueCount:
                    outcome = "dead-letter";
                    await DeadLetterAsync(entry, DeadLetterReasons.MaxDequeueCountExceeded,
                        $"Retry requested on delivery {entry.DequeueCount} of {_options.MaxDequeueCount}; last retry reason: {retry.Reason}", exceptionType: null);
                    break;
                case QueueSettlement.RetrySettlement retry:
                    outcome = "retry";
                    if (await SetVisibilityAsync(entry, retry.Delay, "retry"))
                    {
                        _telemetry.Retried(QueueName);
                        _logger.MessageRetried(QueueName, entry.MessageId, entry.DequeueCount, retry.Delay, retry.Reason);
                    }
                    break;
                case QueueSettlement.DeadLetterSettlement deadLetter:
                    outcome = "dead-letter";
                    await DeadLetterAsync(entry, deadLetter.Reason, deadLetter.Description, exceptionType: null);
                    break;
                default:
                    outcome = "complete";
                    if (await DeleteAsync(entry, "complete"))
                    {
                        _telemetry.Completed(QueueName);
                        _logger.MessageCompleted(QueueName, entry.MessageId, entry.DequeueCount);
                    }
                    break;
            }
        }
        activity?.SetTag("push.hosting.settlement", outcome);
        _telemetry.Invoked(QueueName, _time.GetElapsedTime(started), outcome);
    }

    private async Task DeadLetterAsync(InFlightMessage entry, string reason, string description, string? exceptionType)
    {
        var record = new DeadLetterRecord
        {
            QueueName = QueueName,
            MessageId = entry.MessageId,
            FunctionName = _registration.FunctionName,
            Reason = reason,
            Description = description,
            ExceptionType = exceptionType,
            DequeueCount = entry.DequeueCount,
            InsertedOn = entry.Message.InsertedOn,
            ExpiresOn = entry.Message.ExpiresOn,
            ReceivedOn = entry.ReceivedOn,
            DeadLetteredOn = _time.GetUtcNow(),
            MessageEncoding = _options.MessageEncoding == QueueMessageEncoding.Base64 ? "base64" : "none",
            OriginalMessage = Convert.ToBase64String(entry.Message.Body.ToMemory().Span),
        };
        var text = DeadLetterRecordSerializer.ToMessageText(record, _options.MessageEncoding);
        if (Encoding.UTF8.GetByteCount(text) > MaxMessageTextBytes)
        {
            // Readers accept plain JSON whatever the encoding; it saves the base64 growth a large original would not survive.
            text = Encoding.UTF8.GetString(DeadLetterRecordSerializer.ToJson(record));
        }
        try
        {
            // Written before the original is deleted: a crash in between leaves at worst a duplicate record, never a loss.
            await _poisonQueue.SendMessageAsync(text, visibilityTimeout: null, timeToLive: NeverExpires, CancellationToken.None);
        }
        catch (Exception ex)
        {
            _logger.SettlementFailed(QueueName, entry.MessageId, "dead-letter", TypeName(ex), (ex as RequestFailedException)?.Status ?? 0,
                (ex as RequestFailedException)?.ErrorCode);
            return;
        }
        _telemetry.DeadLettered(QueueName, reason);
        _logger.MessageDeadLettered(QueueName, entry.MessageId, entry.DequeueCount, _poisonQueue.Name, reason);
        await DeleteAsync(entry, "dead-letter");
    }

    private async Task ReleaseAsync(InFlightMessage entry)
    {
        if (await SetVisibilityAsync(entry, TimeSpan.Zero, "release"))
        {
            _telemetry.Released(QueueName);
            _logger.MessageReleased(QueueName, entry.MessageId, entry.DequeueCount);
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
            _logger.LeaseLost(QueueName, entry.MessageId, notFound.Status, notFound.ErrorCode);
            return;
        }
        _logger.SettlementFailed(QueueName, entry.MessageId, action, TypeName(ex), (ex as RequestFailedException)?.Status ?? 0,
            (ex as RequestFailedException)?.ErrorCode);
    }

    private static string TypeName(Exception ex) => ex.GetType().FullName ?? ex.GetType().Name;
}
