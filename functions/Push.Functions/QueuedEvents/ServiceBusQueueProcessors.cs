using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Push.Core.Delivery;
using Push.Core.Queues;
using Push.Core.ServiceBus;

namespace Push.Functions.QueuedEvents;

/// <summary>
/// With <c>Queues:Transport=ServiceBus</c>: one <see cref="ServiceBusProcessor"/> per queue (calls, messages, devices),
/// running inside the worker and calling the same delivery pipeline as the Storage-queue functions. It stands in for the
/// Functions Service Bus trigger, whose extension is not available here; where it is, each processor becomes a
/// <c>[ServiceBusTrigger("%Queues:Calls%")] ServiceBusReceivedMessage</c> function with <c>ServiceBusMessageActions</c>,
/// and <see cref="ServiceBusSettlement"/> stays as it is. On Azure this needs an instance that is always running (the
/// platform scales on triggers it knows, and these are not).
/// </summary>
public sealed partial class ServiceBusQueueProcessors(
    ServiceBusClient client,
    IOptions<ServiceBusHostSettings> settings,
    IOptions<QueueNames> queues,
    EventDelivery delivery,
    ServiceBusSettlement settlement,
    ILogger<ServiceBusQueueProcessors> logger) : IHostedLifecycleService, IAsyncDisposable
{
    /// <summary>How long the start waits to reach each queue before it fails with a message naming the connection.</summary>
    private static readonly TimeSpan ReachTimeout = TimeSpan.FromSeconds(30);

    private readonly List<ServiceBusProcessor> _processors = [];

    private static readonly EventRoute[] Routes = [EventRoute.Calls, EventRoute.Messages, EventRoute.Devices];

    /// <summary>
    /// Checks every queue before any hosted service starts, and so before the worker connects to the Functions host: a
    /// namespace that cannot be used stops the worker's start, which the host reports (the worker exited before it
    /// connected). Checked later, in <see cref="StartAsync"/>, the host would already have loaded the functions and would
    /// restart the failing worker again and again.
    /// </summary>
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        foreach (var route in Routes) await EnsureReachableAsync(queues.Value.For(route), cancellationToken).ConfigureAwait(false);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var route in Routes)
        {
            var queue = queues.Value.For(route);
            var processor = client.CreateProcessor(queue, settings.Value.ProcessorOptions());
            processor.ProcessMessageAsync += args => HandleAsync(args, queue, route);
            processor.ProcessErrorAsync += args =>
            {
                // The SDK retries and reconnects by itself (clientRetryOptions); this only reports.
                LogProcessorError(queue, args.ErrorSource.ToString(), (args.Exception as ServiceBusException)?.Reason.ToString() ?? args.Exception.GetType().Name);
                return Task.CompletedTask;
            };
            _processors.Add(processor);
            await processor.StartProcessingAsync(cancellationToken).ConfigureAwait(false);
            LogStarted(queue, settings.Value.MaxConcurrentCalls, settings.Value.PrefetchCount);
        }
    }

    private async Task HandleAsync(ProcessMessageEventArgs args, string queue, EventRoute route)
    {
        var message = args.Message;
        var request = new DeliveryRequest(message.Body.ToMemory(), message.MessageId, message.DeliveryCount,
            message.EnqueuedTime == default ? null : message.EnqueuedTime, ServiceBusSettlement.IsFirstDelivery(message));
        var verdict = await delivery.DeliverAsync(request, route, args.CancellationToken).ConfigureAwait(false);
        await settlement.SettleAsync(queue, message, new ProcessorMessageActions(args), verdict, args.CancellationToken).ConfigureAwait(false);
    }

    // Processors retry a missing or unreachable namespace forever in the background: check each queue once at start, so a
    // wrong setting stops the worker with a message rather than an endless stream of errors.
    private async Task EnsureReachableAsync(string queue, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReachTimeout);
        try
        {
            await using var receiver = client.CreateReceiver(queue);
            await receiver.PeekMessageAsync(cancellationToken: timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is ServiceBusException or UnauthorizedAccessException or OperationCanceledException or TimeoutException)
        {
            var why = ex switch
            {
                ServiceBusException { Reason: ServiceBusFailureReason.MessagingEntityNotFound } => "the queue does not exist",
                UnauthorizedAccessException => "the credentials were refused",
                ServiceBusException { Reason: ServiceBusFailureReason.ServiceCommunicationProblem or ServiceBusFailureReason.ServiceTimeout } sb =>
                    $"the namespace cannot be reached ({sb.Reason})",
                ServiceBusException sb => sb.Reason.ToString(),
                _ => $"no answer within {ReachTimeout.TotalSeconds:0} s",
            };
            throw new InvalidOperationException(
                $"Service Bus queue '{queue}' on {client.FullyQualifiedNamespace} cannot be used: {why}. Check " +
                $"{ServiceBusConnectionSetting.FunctionsSettingName} (or its __fullyQualifiedNamespace) and {QueueNames.SectionName}:*.");
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Stops receiving and waits for the handlers in flight (cancelled when the host's grace period ends).
        await Task.WhenAll(_processors.Select(p => p.StopProcessingAsync(cancellationToken))).ConfigureAwait(false);
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var processor in _processors) await processor.DisposeAsync().ConfigureAwait(false);
        _processors.Clear();
    }

    // Fixed event ids 3740-3759.
    [LoggerMessage(3740, LogLevel.Information, "Service Bus processor on {Queue} started (maxConcurrentCalls {MaxConcurrentCalls}, prefetchCount {PrefetchCount})")]
    private partial void LogStarted(string queue, int maxConcurrentCalls, int prefetchCount);

    [LoggerMessage(3741, LogLevel.Warning, "Service Bus processor on {Queue}: {Source} failed ({Reason}); the SDK retries")]
    private partial void LogProcessorError(string queue, string source, string reason);
}
