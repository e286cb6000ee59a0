using Microsoft.Extensions.Configuration;
using Push.Hosting.Configuration;

namespace Push.Hosting.Queues;

/// <summary>
/// The queue-trigger settings of one queue: host.json <c>extensions.queues</c>, overlaid by
/// <c>extensions.queues.queueOverrides.&lt;queueName&gt;</c> (our extension: a queue such as push-calls can poll faster
/// and keep its own batch). Defaults and limits are those of Azure Functions' <c>QueuesOptions</c>.
/// </summary>
public sealed class QueueTriggerOptions
{
    public const string SectionPath = FunctionsHostJsonExtensions.SectionName + ":extensions:queues";
    public const string OverridesKey = "queueOverrides";
    public const int MaxBatchSize = 32;

    /// <summary>The smallest polling interval, and where the back-off starts after an empty receive.</summary>
    public static readonly TimeSpan MinPollingInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Storage refuses a visibility timeout beyond seven days.</summary>
    public static readonly TimeSpan MaxVisibility = TimeSpan.FromDays(7);

    /// <summary><c>batchSize</c>: messages fetched per receive, 1..32, default 16.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary><c>newBatchThreshold</c>: a new batch is fetched once no more than this many run; default batchSize/2 × cores.</summary>
    public int NewBatchThreshold { get; init; }

    /// <summary><c>maxPollingInterval</c>: the longest wait between receives while the queue is empty, default 1 minute.</summary>
    public TimeSpan MaxPollingInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary><c>visibilityTimeout</c>: how long a message whose function failed stays invisible, default 0.</summary>
    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.Zero;

    /// <summary><c>maxDequeueCount</c>: deliveries before a failing message moves to the poison queue, default 5.</summary>
    public const int DefaultMaxDequeueCount = 5;

    public int MaxDequeueCount { get; init; } = DefaultMaxDequeueCount;

    /// <summary><c>messageEncoding</c>: "base64" (default) or "none".</summary>
    public QueueMessageEncoding MessageEncoding { get; init; } = QueueMessageEncoding.Base64;

    /// <summary>
    /// <c>leaseDuration</c> (our extension; Functions fixes it at 10 minutes): the visibility a received message gets,
    /// renewed at half of it while its function runs, so a crashed instance's messages come back after at most this long.
    /// </summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Reads the options of <paramref name="queueName"/>; every bad setting is added to <paramref name="errors"/>, named by its key.</summary>
    internal static QueueTriggerOptions Read(IConfiguration configuration, string queueName, int processorCount, ICollection<string> errors)
    {
        var reader = new SettingReader();
        var options = Read(configuration, queueName, processorCount, reader);
        foreach (var error in reader.Errors) errors.Add(error);
        return options;
    }

    internal static QueueTriggerOptions Read(IConfiguration configuration, string queueName, int processorCount, SettingReader reader)
    {
        var common = configuration.GetSection(SectionPath);
        var own = common.GetSection(OverridesKey).GetSection(queueName);
        // A key set for the queue wins over the common one; errors then name the key that was actually used.
        IConfigurationSection For(string key) => own.GetSection(key).Value is not null ? own : common;

        var batchSize = reader.ReadInt(For("batchSize"), "batchSize", 16, 1, MaxBatchSize);
        return new QueueTriggerOptions
        {
            BatchSize = batchSize,
            NewBatchThreshold = reader.ReadInt(For("newBatchThreshold"), "newBatchThreshold",
                batchSize / 2 * Math.Max(1, processorCount), 0, 10_000),
            MaxPollingInterval = reader.ReadTimeSpan(For("maxPollingInterval"), "maxPollingInterval",
                TimeSpan.FromMinutes(1), MinPollingInterval, TimeSpan.FromDays(1)),
            VisibilityTimeout = reader.ReadTimeSpan(For("visibilityTimeout"), "visibilityTimeout",
                TimeSpan.Zero, TimeSpan.Zero, MaxVisibility),
            MaxDequeueCount = reader.ReadInt(For("maxDequeueCount"), "maxDequeueCount", DefaultMaxDequeueCount, 1, 1_000),
            MessageEncoding = reader.ReadEnum(For("messageEncoding"), "messageEncoding", QueueMessageEncoding.Base64,
                ("base64", QueueMessageEncoding.Base64), ("none", QueueMessageEncoding.None)),
            LeaseDuration = reader.ReadTimeSpan(For("leaseDuration"), "leaseDuration",
                TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(1), MaxVisibility),
        };
    }
}
