using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging;

namespace LocalFunctionsHost.Queues;

/// <summary>
/// A received message while its function runs: keeps its lease alive and always holds the latest pop receipt (each
/// visibility update issues a new one, and only the latest can delete or update the message).
/// </summary>
internal sealed class InFlightMessage
{
    private static readonly TimeSpan RenewalRetryInterval = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopRenewal = new();
    private string _popReceipt;
    private DateTimeOffset? _nextVisibleOn;
    private int _settled;
    private Task _renewal = Task.CompletedTask;

    public InFlightMessage(QueueMessage message, DateTimeOffset receivedOn)
    {
        Message = message;
        ReceivedOn = receivedOn;
        _popReceipt = message.PopReceipt;
        _nextVisibleOn = message.NextVisibleOn;
    }

    public QueueMessage Message { get; }

    public string MessageId => Message.MessageId;

    public long DequeueCount => Message.DequeueCount;

    public DateTimeOffset ReceivedOn { get; }

    /// <summary>Ends when processing, settlement included, is over.</summary>
    public TaskCompletionSource Finished { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string PopReceipt
    {
        get { lock (_gate) return _popReceipt; }
    }

    /// <summary>When the message becomes visible again unless renewed (after the latest renewal).</summary>
    public DateTimeOffset? NextVisibleOn
    {
        get { lock (_gate) return _nextVisibleOn; }
    }

    /// <summary>Only one path settles a message: its invocation's or, when that outlives the shutdown grace, the host's release.</summary>
    public bool TryClaimSettlement() => Interlocked.Exchange(ref _settled, 1) == 0;

    public void StartRenewal(QueueClient queue, TimeSpan lease, ILogger logger) =>
        _renewal = RenewAsync(queue, lease, logger, _stopRenewal.Token);

    /// <summary>Stops renewing and waits for a renewal under way, so <see cref="PopReceipt"/> is final afterwards.</summary>
    public async Task StopRenewalAsync()
    {
        await _stopRenewal.CancelAsync();
        await _renewal;
    }

    private async Task RenewAsync(QueueClient queue, TimeSpan lease, ILogger logger, CancellationToken stop)
    {
        // Half the lease, as the Functions host does: one failed renewal still leaves time for another try.
        var normal = lease / 2;
        var interval = normal;
        while (true)
        {
            try
            {
                await Task.Delay(interval, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                // Not cancellable: a renewal the service applied but we stopped reading would leave us a stale pop receipt.
                UpdateReceipt receipt = await queue.UpdateMessageAsync(MessageId, PopReceipt, (string?)null, lease, CancellationToken.None);
                lock (_gate)
                {
                    _popReceipt = receipt.PopReceipt;
                    _nextVisibleOn = receipt.NextVisibleOn;
                }
                interval = normal;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                QueueListener.LogLeaseLost(logger, queue.Name, MessageId, ex.Status, ex.ErrorCode);
                return;
            }
            catch (Exception ex)
            {
                QueueListener.LogLeaseRenewalFailed(logger, queue.Name, MessageId, ex.GetType().FullName ?? ex.GetType().Name, (ex as RequestFailedException)?.Status ?? 0);
                interval = normal < RenewalRetryInterval ? normal : RenewalRetryInterval;
            }
        }
    }
}
