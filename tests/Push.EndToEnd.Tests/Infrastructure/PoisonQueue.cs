using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;
using Push.Core.DeadLetters;
using Push.Core.Storage;
using Push.Core.StorageQueues;

namespace Push.EndToEnd.Tests.Infrastructure;

/// <summary>The Storage poison queues as triage reads them: each entry with the reason the relay recorded (or the host implies).</summary>
public static class PoisonQueue
{
    /// <summary>Waits for the poison entry whose original message is the event <paramref name="trackingId"/>, and gives it back.</summary>
    public static async Task<DeadLetterEntry> WaitForAsync(RelayEnvironment env, string queue, string trackingId, TimeSpan timeout)
    {
        var service = new QueueServiceClient(env.Azurite.ConnectionString, StorageClients.QueueOptions());
        var archive = new DeadLetterArchive(new TableServiceClient(env.Azurite.ConnectionString), Options.Create(new DeadLetterOptions()));
        var reader = new StoragePoisonQueue(service, new StorageQueueHostSettings { MaxDequeueCount = RelayEnvironment.MaxDequeueCount }, archive);
        DeadLetterEntry? found = null;
        await Eventually.TrueAsync(async () =>
        {
            var entries = await reader.ReceiveAsync(queue, 32, TimeSpan.FromSeconds(30), CancellationToken.None);
            // Given back at once: the test only looks, and the CLI or triage it runs next must find every entry.
            foreach (var entry in entries) await reader.HideAsync(entry, TimeSpan.Zero, CancellationToken.None);
            found = entries.FirstOrDefault(e =>
                (e.OriginalBody is { } body ? System.Text.Encoding.UTF8.GetString(body.Span) : e.OriginalMessageText ?? "").Contains(trackingId, StringComparison.Ordinal));
            return found is not null;
        }, $"a poison entry for {trackingId} in {queue}-poison", timeout);
        return found!;
    }
}
