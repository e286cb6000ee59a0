using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Push.Core.DeadLetters;
using Push.Hosting.DeadLetters;
using Push.Hosting.Queues;
using Push.Hosting.ServiceBus;

namespace Push.Cli.DeadLetters;

/// <summary>
/// What the <c>push dlq</c> commands work with, from the relay's own settings: the poison queues, the archive
/// (<c>DeadLetters:ArchiveTable</c>) and the same triage code the relay's timer runs.
/// </summary>
internal sealed class DlqSession : IDisposable
{
    /// <summary>How long entries being listed or acted on stay invisible to the relay's triage; released afterwards.</summary>
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);

    /// <summary>A bound on one command's reach, so a flooded poison queue cannot keep the CLI reading forever.</summary>
    private const int MaxEntriesPerQueue = 5000;

    private readonly ServiceProvider _meters;

    private DlqSession(CliContext context, IReadOnlyList<string> queues)
    {
        Queues = queues;
        var configuration = context.Configuration;
        var options = new DeadLetterOptions();
        configuration.GetSection(DeadLetterOptions.SectionName).Bind(options);
        var validation = new DeadLetterOptionsValidator().Validate(null, options);
        if (validation.Failed) throw new CliException(validation.FailureMessage);
        Queue = UsesServiceBus(configuration)
            ? OpenServiceBusQueue(configuration)
            : new CliPoisonQueue(new PoisonQueueClient(context.QueueService()));
        Archive = new DeadLetterArchive(context.TableService, Options.Create(options));
        _meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        Triage = new DeadLetterTriage(Queue, Archive, Options.Create(options), new DeadLetterMetrics(_meters.GetRequiredService<IMeterFactory>()),
            TimeProvider.System, NullLogger<DeadLetterTriage>.Instance);
    }

    public IReadOnlyList<string> Queues { get; }
    public IDeadLetterQueue Queue { get; }
    public DeadLetterArchive Archive { get; }
    public DeadLetterTriage Triage { get; }

    /// <param name="queue">calls, messages, devices, a queue name, or null for all three.</param>
    public static DlqSession Open(CliContext context, string? queue)
    {
        string[] all = [context.QueueName("Calls", "push-calls"), context.QueueName("Messages", "push-messages"), context.QueueName("Devices", "push-devices")];
        IReadOnlyList<string> queues = queue switch
        {
            null => all,
            "calls" => [all[0]],
            "messages" => [all[1]],
            "devices" => [all[2]],
            _ when queue.EndsWith("-poison", StringComparison.Ordinal) => [queue[..^"-poison".Length]],
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
                var batch = await Queue.ReceiveAsync(queue, PoisonQueueClient.MaxBatch, Lease, cancellationToken);
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

    /// <summary>Queues:Transport=ServiceBus: the dead letters are in the Service Bus dead-letter queues, not Storage.</summary>
    private static bool UsesServiceBus(IConfiguration configuration)
    {
        try
        {
            return ServiceBusServiceCollectionExtensions.UsesServiceBus(configuration);
        }
        catch (InvalidOperationException ex)
        {
            throw new CliException(ex.Message);
        }
    }

    private static CliServiceBusDeadLetterQueue OpenServiceBusQueue(IConfiguration configuration)
    {
        try
        {
            return CliServiceBusDeadLetterQueue.FromConfiguration(configuration);
        }
        catch (InvalidOperationException ex)
        {
            throw new CliException(ex.Message);
        }
    }

    public void Dispose()
    {
        // The Service Bus reader gives back every entry this command did not settle (a console app: no context to block).
        if (Queue is IAsyncDisposable queue) queue.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _meters.Dispose();
    }
}
