using Push.Core.DeadLetters;
using Push.Core.Queues;
using Push.Core.StorageQueues;

namespace Push.Cli.DeadLetters;

/// <summary>
/// What the <c>push dlq</c> commands work with, from the relay's own settings: the dead letters of the transport the
/// relay uses (the relay's own readers: Storage poison queues or Service Bus dead-letter subqueues), the archive
/// (<c>DeadLetters:ArchiveTable</c>) and the same triage code the relay's timer runs.
/// </summary>
internal sealed class DlqSession
{
    /// <summary>How long entries being listed or acted on stay invisible to the relay's triage; released afterwards.</summary>
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);

    /// <summary>A bound on one command's reach, so a flooded poison queue cannot keep the CLI reading forever.</summary>
    private const int MaxEntriesPerQueue = 5000;

    private readonly bool _serviceBus;

    private DlqSession(CliContext context, IReadOnlyList<string> queues)
    {
        Queues = queues;
        _serviceBus = context.Queues.Transport == QueueTransport.ServiceBus;
        Queue = context.DeadLetterQueue;
        Archive = context.DeadLetterArchive;
        Triage = context.DeadLetterTriage;
    }

    public IReadOnlyList<string> Queues { get; }

    /// <summary>Where a queue's dead letters are, in the transport's own words.</summary>
    public string DeadLetterLocation(string queue) =>
        !_serviceBus ? PoisonQueueName.Of(queue) : queue + "/$DeadLetterQueue";
    public IDeadLetterQueue Queue { get; }
    public DeadLetterArchive Archive { get; }
    public DeadLetterTriage Triage { get; }

    /// <param name="queue">calls, messages, devices, a queue name, or null for all three.</param>
    public static DlqSession Open(CliContext context, string? queue)
    {
        var names = context.Queues;
        IReadOnlyList<string> queues = queue switch
        {
            null => names.All,
            "calls" => [names.Calls],
            "messages" => [names.Messages],
            "devices" => [names.Devices],
            _ when queue.EndsWith(PoisonQueueName.Suffix, StringComparison.Ordinal) => [queue[..^PoisonQueueName.Suffix.Length]],
            _ => [queue],
        };
        return new DlqSession(context, queues);
    }

    /// <summary>
    /// Every entry of the selected poison queues, leased. The caller settles or <see cref="ReleaseAsync"/>s each one.
    /// </summary>
    public async Task<List<DeadLetterEntry>> TakeAllAsync(CancellationToken cancellationToken)
    {
        var entries = new List<DeadLetterEntry>();
        foreach (var queue in Queues)
        {
            var taken = 0;
            while (taken < MaxEntriesPerQueue)
            {
                var batch = await Queue.ReceiveAsync(queue, StoragePoisonQueue.MaxBatch, Lease, cancellationToken);
                if (batch.Count == 0) break;
                taken += batch.Count;
                entries.AddRange(batch);
            }
        }
        return entries;
    }

    /// <summary>Makes entries visible again at once (to the relay's triage and the next command).</summary>
    public async Task ReleaseAsync(IEnumerable<DeadLetterEntry> entries, CancellationToken cancellationToken)
    {
        foreach (var entry in entries)
        {
            try
            {
                await Queue.HideAsync(entry, TimeSpan.Zero, cancellationToken);
            }
            catch (Azure.RequestFailedException)
            {
                // The lease ran out (or another reader took it): the entry is visible again, or someone else's, anyway.
            }
        }
    }
}
