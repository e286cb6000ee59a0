using LocalFunctionsHost.Rpc;
using LocalFunctionsHost.Timers;

namespace LocalFunctionsHost.Functions;

/// <summary>A Storage-queue trigger as the worker declared it, its settings resolved.</summary>
/// <param name="ParameterName">The binding's name: the input the worker binds the message to.</param>
/// <param name="QueueName">The queue, lower-cased as the Functions host does.</param>
/// <param name="ConnectionSetting">The name of the setting that held the connection string.</param>
/// <param name="ConnectionString">The connection string (never logged).</param>
/// <param name="DeferredBinding">The worker asked for model binding data (an SDK type such as <c>QueueMessage</c>).</param>
/// <param name="Binary">The binding's dataType is binary: the body goes as bytes, not as a string.</param>
internal sealed record QueueTrigger(string ParameterName, string QueueName, string ConnectionSetting, string ConnectionString,
    bool DeferredBinding, bool Binary)
{
    public override string ToString() => $"QueueTrigger {{ {ParameterName}, {QueueName}, {ConnectionSetting} }}";
}

/// <summary>A timer trigger as the worker declared it, its schedule resolved.</summary>
internal sealed record TimerTrigger(string ParameterName, TimerSchedule Schedule, bool RunOnStartup, bool UseMonitor);

/// <summary>One function of the app: what the worker said about it, and how this host triggers it.</summary>
internal sealed class FunctionDescriptor
{
    public required string Name { get; init; }

    /// <summary>The worker's metadata, sent back in the function's load request.</summary>
    public required RpcFunctionMetadata Metadata { get; init; }

    /// <summary>The trigger binding's type as declared (e.g. queueTrigger), or null if the function has none.</summary>
    public string? TriggerType { get; init; }

    public QueueTrigger? Queue { get; init; }

    public TimerTrigger? Timer { get; init; }

    /// <summary>Disabled by <c>AzureWebJobs.&lt;name&gt;.Disabled</c>: loaded into the worker, never triggered.</summary>
    public bool Disabled { get; init; }

    /// <summary>Whether this host runs a listener for it.</summary>
    public bool IsListened => !Disabled && (Queue is not null || Timer is not null);

    /// <summary>How <c>func start</c> would describe it, e.g. "queueTrigger push-calls".</summary>
    public string Summary => Queue is { } q ? $"queueTrigger {q.QueueName}"
        : Timer is { } t ? $"timerTrigger {t.Schedule.Expression}"
        : TriggerType ?? "no trigger";
}
