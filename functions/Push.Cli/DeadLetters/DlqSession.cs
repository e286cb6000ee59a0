using System.Diagnostics.Metrics;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Push.Core.DeadLetters;
using Push.Core.Queues;
using Push.Core.ServiceBus;
using Push.Core.StorageQueues;

namespace Push.Cli.DeadLetters;

/// <summary>
/// What the <c>push dlq</c> commands work with, from the relay's own settings: the dead letters of the transport the
/// relay uses (the relay's own readers: Storage poison queues or Service Bus dead-letter subqueues), the archive
/// (<c>DeadLetters:ArchiveTable</c>) and the same triage code the relay's timer runs.
/// </summary>
internal sealed class DlqSession : IDisposable
{
    /// <summary>How long entries being listed or acted on stay invisible to the relay's triage; released afterwards.</summary>
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);

    /// <summary>A bound on one command's reach, so a flooded poison queue cannot keep the CLI reading forever.</summary>
    private const int MaxEntriesPerQueue = 5000;

    private readonly ServiceProvider _meters;
    private readonly ServiceBusClient? _serviceBus;

    private DlqSession(CliContext context, IReadOnlyList<string> queues)
    {
        Queues = queues;
        var options = context.DeadLetterOptions;
        Archive = context.DeadLetterArchive;
        if (context.Queues.Transport == QueueTransport.ServiceBus)
        {
            _serviceBus = context.CreateServiceBusClient();
            Queue = new ServiceBusDeadLetterQueue(_serviceBus, TimeProvider.System);
        }
        else
        {
            Queue = new StoragePoisonQueue(context.QueueService, context.StorageQueueSettings, Archive);
        }
        _meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        Triage = new DeadLetterTriage(Queue, Archive, context.Ledger, Options.Create(options),
            new DeadLetterMetrics(_meters.GetRequiredService<IMeterFactory>()), TimeProvider.System, NullLogger<DeadLetterTriage>.Instance);
    }

    public IReadOnlyList<string> Queues { get; }

    /// <summary>Where a queue's dead letters are, in the transport's own words.</summary>
    public string DeadLetterLocation(string queue) =>
        _serviceBus is null ? PoisonQueueName.Of(queue) : queue + "/$DeadLetterQueue";
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

    public void Dispose()
    {
        // The Service Bus reader gives back every entry this command did not settle (a console app: no context to block).
        if (Queue is IAsyncDisposable queue) queue.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _serviceBus?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _meters.Dispose();
    }
}
