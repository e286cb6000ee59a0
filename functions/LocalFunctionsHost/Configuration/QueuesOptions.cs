using Microsoft.Extensions.Configuration;

namespace LocalFunctionsHost.Configuration;

/// <summary>How a message's text carries its body (host.json <c>extensions.queues.messageEncoding</c>).</summary>
internal enum QueueMessageEncoding
{
    /// <summary>The text is the body in base64 (the Functions default).</summary>
    Base64,

    /// <summary>The text is the body itself.</summary>
    None,
}

/// <summary>host.json <c>extensions.queues</c>, with the defaults and limits of the Functions host's <c>QueuesOptions</c>.</summary>
internal sealed class QueuesOptions
{
    public const string SectionPath = HostJsonFile.SectionName + ":extensions:queues";
    public const int MaxBatchSize = 32;

    /// <summary>Where the polling back-off starts after an empty receive (the listener's minimum interval).</summary>
    public static readonly TimeSpan MinPollingInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Storage refuses a visibility timeout beyond seven days.</summary>
    public static readonly TimeSpan MaxVisibility = TimeSpan.FromDays(7);

    /// <summary><c>batchSize</c>: messages fetched per receive, 1..32, default 16.</summary>
    public required int BatchSize { get; init; }

    /// <summary><c>newBatchThreshold</c>: a new batch is fetched once no more than this many run; default batchSize/2 × cores.</summary>
    public required int NewBatchThreshold { get; init; }

    /// <summary><c>maxPollingInterval</c>: the longest wait between receives while the queue is empty, default 1 minute.</summary>
    public required TimeSpan MaxPollingInterval { get; init; }

    /// <summary><c>visibilityTimeout</c>: how long a message whose function failed stays invisible, default 0.</summary>
    public required TimeSpan VisibilityTimeout { get; init; }

    /// <summary><c>maxDequeueCount</c>: the delivery on which a failing message moves to the poison queue, default 5.</summary>
    public required int MaxDequeueCount { get; init; }

    /// <summary><c>messageEncoding</c>: "base64" (default) or "none".</summary>
    public required QueueMessageEncoding MessageEncoding { get; init; }

    public static QueuesOptions Read(IConfiguration hostJson, int processorCount, SettingReader reader)
    {
        var section = hostJson.GetSection(SectionPath);
        var batchSize = reader.ReadInt(section, "batchSize", 16, 1, MaxBatchSize);
        return new QueuesOptions
        {
            BatchSize = batchSize,
            NewBatchThreshold = reader.ReadInt(section, "newBatchThreshold", batchSize / 2 * Math.Max(1, processorCount), 0, 10_000),
            MaxPollingInterval = reader.ReadTimeSpan(section, "maxPollingInterval", TimeSpan.FromMinutes(1), MinPollingInterval, TimeSpan.FromDays(1)),
            VisibilityTimeout = reader.ReadTimeSpan(section, "visibilityTimeout", TimeSpan.Zero, TimeSpan.Zero, MaxVisibility),
            MaxDequeueCount = reader.ReadInt(section, "maxDequeueCount", 5, 1, 1_000),
            MessageEncoding = reader.ReadEnum(section, "messageEncoding", QueueMessageEncoding.Base64,
                ("base64", QueueMessageEncoding.Base64), ("none", QueueMessageEncoding.None)),
        };
    }
}
