using System.Diagnostics;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;
using Push.Core.DeadLetters;
using Push.Core.Events;
using Push.Core.Ledger;
using Push.Core.Storage;
using Push.Core.StorageQueues;
using Push.EndToEnd.Tests.Infrastructure;
using Push.Testing.Fuzzing;
using Xunit.Abstractions;

namespace Push.EndToEnd.Tests;

/// <summary>
/// Mutated producer events through the whole relay (issue 17): each message is either handled (an outcome in the
/// ledger, or a registry change) or in its poison queue with the reason the parser gives for it — none left on a queue,
/// no invocation failing on input, no canary in any log — and a call published behind the burst still rings. Its own
/// Azurite, sandbox and relay, so every failure it counts is its own. The count is bounded for CI; the parser-level run
/// (Push.Core.Tests) covers 3,000 cases.
/// </summary>
public sealed class FuzzEndToEndTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Seed = 17_2027;
    private const int Count = 300;
    private const int MaxQueueText = 64 * 1024 - 1024;
    private static readonly string[] Queues = ["push-calls", "push-messages", "push-devices"];

    private readonly RelayEnvironment _env = new();

    public Task InitializeAsync() => _env.InitializeAsync();

    public Task DisposeAsync() => _env.DisposeAsync();

    private static string QueueOf(string type) => type switch
    {
        PushEventTypes.CallIncoming or PushEventTypes.CallEnded => "push-calls",
        PushEventTypes.ImMessage => "push-messages",
        _ => "push-devices",
    };

    [Fact]
    public async Task Every_mutated_event_is_handled_or_dead_lettered_with_its_reason_and_a_call_behind_them_still_rings()
    {
        var caller = await _env.RegisterAsync(TestDevice.IPhone(TestDevice.NewUser()));
        // A queue refuses a message over 64 KiB (base64 of 48 KiB): no producer can send those, so they never reach the relay.
        var cases = EventFuzzer.Generate(Seed, Count).Where(c => Convert.ToBase64String(c.Body).Length <= MaxQueueText).ToList();
        var clients = Queues.ToDictionary(q => q, q => _env.Queue(q));
        foreach (var client in clients.Values) await client.CreateIfNotExistsAsync();

        // The burst, each case on the queue of its type, exactly as a producer's bytes (base64, host.json's encoding).
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (fuzz, ct) => await clients[QueueOf(fuzz.BaseType)].SendMessageAsync(Convert.ToBase64String(fuzz.Body), ct));
        var clock = Stopwatch.StartNew();
        var call = await _env.PublishAsync(new PushEventWriter("/e2e").Create(caller.UserId,
            new CallIncomingData("call-after-fuzz", new Party(null, "+15550001234"), "audio", 60)));
        await _env.Sandbox.WaitForApnsPushAsync(p => p.DeviceToken == caller.VoipToken, TimeSpan.FromSeconds(60));
        output.WriteLine($"a call published behind {cases.Count} mutated events rang after {clock.Elapsed.TotalMilliseconds:0} ms");
        await _env.WaitForOutcomesAsync(call.TrackingId, 1);

        await Eventually.TrueAsync(async () =>
        {
            foreach (var client in clients.Values)
            {
                if ((await client.PeekMessagesAsync(1)).Value.Length > 0) return false;
            }
            return true;
        }, "every queue drained", TimeSpan.FromMinutes(3));

        var poison = await PoisonEntriesAsync();
        var failures = new List<string>();
        var refusedByCode = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var fuzz in cases)
        {
            var text = Convert.ToBase64String(fuzz.Body);
            var parsed = PushEventParser.Parse(fuzz.Body);
            poison.TryGetValue(text, out var entry);
            if (!parsed.IsSuccess)
            {
                var expected = DeadLetterReason.InvalidEvent(parsed.Problem.Code).ToString();
                refusedByCode[expected] = refusedByCode.GetValueOrDefault(expected) + 1;
                if (entry is null) failures.Add($"{fuzz}: refused ({expected}) but not in its poison queue");
                else if (entry.Reason.ToString() != expected) failures.Add($"{fuzz}: dead-lettered as {entry.Reason}, the parser says {expected}");
                continue;
            }
            if (entry is not null)
            {
                failures.Add($"{fuzz}: a valid {parsed.Event.Type} dead-lettered as {entry.Reason}");
            }
            else if (PushEventTypes.IsDeliverable(parsed.Event.Type))
            {
                var rows = (await _env.Ledger.GetAsync(parsed.Event.TrackingId, default)).Values.ToList();
                if (rows.Count == 0 || !rows.All(r => r.Status.IsFinal()))
                {
                    failures.Add($"{fuzz}: a valid {parsed.Event.Type} with no final outcome in the ledger");
                }
            }
        }
        output.WriteLine($"{cases.Count} cases ({Count - cases.Count} over a queue's size left out): {cases.Count - refusedByCode.Values.Sum()} handled, dead-lettered by reason: " +
            string.Join(", ", refusedByCode.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value}")));
        Assert.True(failures.Count == 0, string.Join('\n', failures.Take(20)));

        // Bad input is refused, never thrown on: no invocation failed, and nothing the host had to poison on its own.
        Assert.DoesNotContain("(Failed", _env.Relay!.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(poison.Values, e => e.Reason.IsDeliveryCountExhausted);
        var leaks = cases.Where(c => _env.Relay.Output.Contains(c.Canary, StringComparison.Ordinal)).Select(c => c.ToString()).ToList();
        Assert.True(leaks.Count == 0, "canaries in the relay's log: " + string.Join(", ", leaks.Take(10)));
    }

    /// <summary>Every poison entry of the three queues, by its text (the original's, unchanged), read as triage reads them.</summary>
    private async Task<Dictionary<string, DeadLetterEntry>> PoisonEntriesAsync()
    {
        var service = new QueueServiceClient(_env.Azurite.ConnectionString, StorageClients.QueueOptions());
        var archive = new DeadLetterArchive(new TableServiceClient(_env.Azurite.ConnectionString), Options.Create(new DeadLetterOptions()));
        var reader = new StoragePoisonQueue(service, new StorageQueueHostSettings { MaxDequeueCount = RelayEnvironment.MaxDequeueCount }, archive);
        var entries = new Dictionary<string, DeadLetterEntry>(StringComparer.Ordinal);
        foreach (var queue in Queues)
        {
            while ((await reader.ReceiveAsync(queue, 32, TimeSpan.FromMinutes(5), CancellationToken.None)) is { Count: > 0 } batch)
            {
                foreach (var entry in batch) entries.TryAdd(entry.OriginalMessageText!, entry);
            }
        }
        return entries;
    }
}
