using Azure;
using LocalFunctionsHost.Configuration;
using LocalFunctionsHost.Functions;
using LocalFunctionsHost.Queues;
using LocalFunctionsHost.Telemetry;
using LocalFunctionsHost.Timers;
using LocalFunctionsHost.Worker;
using Microsoft.Extensions.Logging;

namespace LocalFunctionsHost;

/// <summary>
/// The host's life: start the worker and learn its functions, resolve and check their triggers (every error at once),
/// load them, start one listener per enabled function, print the functions and the ready line; on stop, stop the
/// listeners (draining within the grace period) and then the worker.
/// </summary>
internal sealed partial class FunctionsHost(
    HostSettings settings,
    WorkerSupervisor supervisor,
    FunctionInvoker invoker,
    HostTelemetry telemetry,
    ILoggerFactory loggerFactory)
{
    /// <summary>The container the Functions host keeps its locks and timer status in.</summary>
    public const string HostContainer = "azure-webjobs-hosts";

    private readonly ILogger _logger = loggerFactory.CreateLogger<FunctionsHost>();
    private readonly List<QueueListener> _queues = [];
    private readonly List<TimerListener> _timers = [];

    /// <summary>The app's functions as the worker declared them, once started.</summary>
    public IReadOnlyList<FunctionDescriptor> Functions { get; private set; } = [];

    /// <summary>Starts everything; throws <see cref="HostStartException"/> naming every problem.</summary>
    public async Task StartAsync(Uri hostUri, CancellationToken cancellationToken)
    {
        foreach (var name in settings.AppSettings.SkippedValues) LogSkippedValue(name);
        LogStarting(settings.ScriptRoot, settings.HostId);
        IReadOnlyList<Rpc.RpcFunctionMetadata> metadata;
        try
        {
            metadata = await supervisor.StartAsync(hostUri, cancellationToken);
        }
        catch (WorkerStartException ex)
        {
            throw new HostStartException([ex.Message]);
        }

        var errors = new List<string>();
        var functions = FunctionCatalog.Build(metadata, settings.AppSettings, errors);
        var storage = settings.AppSettings[HostSettings.StorageSetting];
        if (storage is null && functions.Any(f => f.Timer is not null))
        {
            errors.Add($"the app setting '{HostSettings.StorageSetting}' is missing: timer triggers keep their leases and schedule status in it");
        }
        if (errors.Count > 0) throw new HostStartException(errors);

        Functions = functions;
        var failed = await supervisor.LoadAsync(functions);
        var listened = functions.Where(f => f.IsListened && !failed.Contains(f.Name)).ToList();
        try
        {
            await CreateListenersAsync(listened, storage, cancellationToken);
        }
        catch (RequestFailedException ex)
        {
            throw new HostStartException([$"the storage account refused the host's set-up (status {ex.Status}, {ex.ErrorCode}); check the connection settings"]);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is RequestFailedException or HttpRequestException))
        {
            throw new HostStartException(["the storage account could not be reached; check the connection settings and that it (or Azurite) runs"]);
        }

        LogFunctionsHeader();
        foreach (var function in functions)
        {
            var state = function.Disabled ? "disabled" : failed.Contains(function.Name) ? "load failed" : !function.IsListened ? "not triggered by this host" : "";
            LogFunction(function.Name, function.Summary, state.Length == 0 ? "" : $" ({state})");
        }
        foreach (var listener in _queues) listener.Start();
        foreach (var listener in _timers) listener.Start();
        LogReady(listened.Count, string.Join(", ", listened.Select(f => $"{f.Name}: {f.Summary}")));
    }

    /// <summary>Stops the listeners, giving running invocations the grace period, then stops the worker.</summary>
    public async Task StopAsync()
    {
        LogStopping(settings.ShutdownGracePeriod);
        using var grace = new CancellationTokenSource(settings.ShutdownGracePeriod);
        await Task.WhenAll(_queues.Select(l => l.StopAsync(grace.Token)).Concat(_timers.Select(l => l.StopAsync(grace.Token))));
        await supervisor.StopAsync();
        LogStopped();
    }

    private async Task CreateListenersAsync(List<FunctionDescriptor> functions, string? storage, CancellationToken cancellationToken)
    {
        var queueServices = new Dictionary<string, Azure.Storage.Queues.QueueServiceClient>(StringComparer.Ordinal);
        foreach (var function in functions.Where(f => f.Queue is not null))
        {
            var trigger = function.Queue!;
            if (!queueServices.TryGetValue(trigger.ConnectionString, out var service))
            {
                service = StorageClients.Queues(trigger.ConnectionString, trigger.ConnectionSetting);
                queueServices[trigger.ConnectionString] = service;
            }
            var queue = service.GetQueueClient(trigger.QueueName);
            // The Functions host polls a missing queue (backing off) rather than creating it; creating it at start
            // spares a local developer that minute of back-off and fails fast on a wrong connection.
            await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            _queues.Add(new QueueListener(function, settings.Queues, settings.QueueVisibilityLease, queue,
                service.GetQueueClient(trigger.QueueName + "-poison"), invoker, telemetry,
                loggerFactory.CreateLogger("LocalFunctionsHost.Queues.QueueListener." + function.Name)));
        }
        var timers = functions.Where(f => f.Timer is not null).ToList();
        if (timers.Count == 0) return;
        var container = StorageClients.Blobs(storage!, HostSettings.StorageSetting).GetBlobContainerClient(HostContainer);
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        foreach (var function in timers)
        {
            var lease = new TimerLease(container, settings.HostId, function.Name, settings.TimerLeaseDuration);
            await lease.EnsureBlobAsync(cancellationToken);
            _timers.Add(new TimerListener(function, settings, lease, new ScheduleMonitor(container, settings.HostId, function.Name), invoker,
                loggerFactory.CreateLogger("LocalFunctionsHost.Timers.TimerListener." + function.Name)));
        }
    }
}
