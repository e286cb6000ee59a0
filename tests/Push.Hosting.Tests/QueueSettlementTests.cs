using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;
using Push.Hosting.Queues;
using Push.Hosting.Tests.Infrastructure;
using Push.Testing;

namespace Push.Hosting.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class QueueSettlementTests(AzuriteFixture azurite)
{
    private static readonly Dictionary<string, string?> NoSettings = new();

    [Fact]
    public async Task Complete_deletes_the_message()
    {
        var queue = new QueueScope(azurite);
        await queue.CreateAsync();
        var id = await queue.SendAsync("""{"hello":"world"}""");
        var probe = new FunctionProbe();

        await using (await TestHost.StartAsync(azurite.ConnectionString, probe, NoSettings, [queue.Name]))
        {
            await Eventually.WaitAsync(() => probe.CallsTo(queue.Name).Count == 1, "the message was delivered");
            await Eventually.WaitAsync(async () => (await queue.PeekAsync()).Length == 0, "the message was deleted");
        }

        var call = Assert.Single(probe.CallsTo(queue.Name));
        Assert.Equal(id, call.Message.MessageId);
        Assert.Equal("""{"hello":"world"}""", call.Message.Body.ToString());
        Assert.Equal(1, call.Message.DequeueCount);
        Assert.NotNull(call.Message.InsertedOn);
        Assert.Empty(await queue.PeekPoisonAsync());
    }

    [Fact]
    public async Task Retry_hides_the_message_for_the_delay_then_redelivers_it_with_the_next_dequeue_count()
    {
        var queue = new QueueScope(azurite);
        await queue.CreateAsync();
        await queue.SendAsync("retry me");
        var probe = new FunctionProbe();
        var delay = TimeSpan.FromSeconds(1);
        DateTimeOffset? firstReturned = null;
        probe.Handle(queue.Name, (message, _) =>
        {
            if (message.DequeueCount > 1) return Task.FromResult(QueueSettlement.Complete);
            firstReturned = DateTimeOffset.UtcNow;
            return Task.FromResult(QueueSettlement.Retry(delay, "ProviderUnavailable"));
        });

        await using (await TestHost.StartAsync(azurite.ConnectionString, probe, NoSettings, [queue.Name]))
        {
            await Eventually.WaitAsync(() => probe.CallsTo(queue.Name).Count == 2, "the message came back");
            await Eventually.WaitAsync(async () => (await queue.PeekAsync()).Length == 0, "the redelivery was completed");
        }

        var calls = probe.CallsTo(queue.Name);
        Assert.Equal([1L, 2L], calls.Select(c => c.Message.DequeueCount));
        Assert.Equal(calls[0].Message.MessageId, calls[1].Message.MessageId);
        // A lower bound only: it proves the message stayed invisible, and slowness can never break it.
        Assert.True(calls[1].At - firstReturned!.Value >= delay * 0.8, $"redelivered after {calls[1].At - firstReturned.Value}");
        Assert.Empty(await queue.PeekPoisonAsync());
    }

    [Fact]
    public async Task A_function_that_throws_gets_the_message_again()
    {
        var queue = new QueueScope(azurite);
        await queue.CreateAsync();
        await queue.SendAsync("fail once");
        var probe = new FunctionProbe();
        probe.Handle(queue.Name, (message, _) => message.DequeueCount == 1
            ? throw new InvalidOperationException("first attempt fails")
            : Task.FromResult(QueueSettlement.Complete));

        await using (await TestHost.StartAsync(azurite.ConnectionString, probe, NoSettings, [queue.Name]))
        {
            await Eventually.WaitAsync(() => probe.CallsTo(queue.Name).Count == 2, "the message was redelivered");
            await Eventually.WaitAsync(async () => (await queue.PeekAsync()).Length == 0, "the redelivery was completed");
        }

        Assert.Equal([1L, 2L], probe.CallsTo(queue.Name).Select(c => c.Message.DequeueCount));
        Assert.Empty(await queue.PeekPoisonAsync());
    }

    [Fact]
    public async Task A_message_that_keeps_failing_is_poisoned_after_maxDequeueCount_while_others_keep_flowing()
    {
        var queue = new QueueScope(azurite);
        await queue.CreateAsync();
        const string poisonBody = "PERSONAL-DATA-7c1e: caller Alice +15550100";
        var poisonText = Convert.ToBase64String(Encoding.UTF8.GetBytes(poisonBody));
        var poisonId = await queue.SendRawAsync(poisonText);
        await queue.SendManyAsync(Enumerable.Range(0, 20).Select(i => "good " + i));
        var probe = new FunctionProbe();
        probe.Handle(queue.Name, (message, _) => message.Body.ToString() == poisonBody
            ? throw new InvalidOperationException("always fails: " + poisonBody)
            : Task.FromResult(QueueSettlement.Complete));
        var logs = new CapturedLogs();
        using var metrics = new MetricRecorder(queue.Name);

        await using (await TestHost.StartAsync(azurite.ConnectionString, probe,
            new Dictionary<string, string?> { [TestHost.Queues + "maxDequeueCount"] = "3" }, [queue.Name], logs: logs))
        {
            await Eventually.WaitAsync(async () => (await queue.PeekPoisonAsync()).Length == 1, "the failing message was poisoned");
            await Eventually.WaitAsync(async () => (await queue.PeekAsync()).Length == 0, "the queue drained");
        }

        var calls = probe.CallsTo(queue.Name);
        Assert.Equal(3, calls.Count(c => c.Message.MessageId == poisonId));
        Assert.Equal(20, calls.Count(c => c.Message.MessageId != poisonId));
        var record = Assert.Single(await queue.DeadLettersAsync());
        Assert.Equal(DeadLetterReasons.MaxDequeueCountExceeded, record.Reason);
        Assert.Equal(queue.Name, record.QueueName);
        Assert.Equal(poisonId, record.MessageId);
        Assert.Equal("fn-" + queue.Name, record.FunctionName);
        Assert.Equal(3, record.DequeueCount);
        Assert.Equal(typeof(InvalidOperationException).FullName, record.ExceptionType);
        Assert.Equal(poisonText, record.GetOriginalMessageText());
        Assert.Equal(poisonBody, record.TryGetOriginalBody()?.ToString());
        Assert.NotNull(record.InsertedOn);
        Assert.True(record.DeadLetteredOn >= record.InsertedOn);
        Assert.DoesNotContain("7c1e", record.Description ?? "", StringComparison.Ordinal);
        // The body (and the exception message quoting it) never reaches a log.
        Assert.Contains(logs.Lines, l => l.EventId == 3014);
        Assert.DoesNotContain(logs.Lines, l => l.Text.Contains("7c1e", StringComparison.Ordinal));
        Assert.Equal(1, metrics.Sum("push.hosting.queue.messages.dead_lettered", DeadLetterReasons.MaxDequeueCountExceeded));
        Assert.Equal(20, metrics.Sum("push.hosting.queue.messages.completed"));
        Assert.Equal(3, metrics.Sum("push.hosting.queue.messages.failed"));
    }

    [Fact]
    public async Task A_retry_requested_on_the_last_delivery_poisons_with_the_last_retry_reason()
    {
        var queue = new QueueScope(azurite);
        await queue.CreateAsync();
        await queue.SendAsync("always retry");
        var probe = new FunctionProbe();
        probe.Handle(queue.Name, (_, _) => Task.FromResult(QueueSettlement.Retry(TimeSpan.Zero, "ProviderUnavailable")));

        await using (await TestHost.StartAsync(azurite.ConnectionString, probe,
            new Dictionary<string, string?> { [TestHost.Queues + "maxDequeueCount"] = "2" }, [queue.Name]))
        {
            await Eventually.WaitAsync(async () => (await queue.PeekPoisonAsync()).Length == 1, "the message was poisoned");
        }

        Assert.Equal([1L, 2L], probe.CallsTo(queue.Name).Select(c => c.Message.DequeueCount));
        var record = Assert.Single(await queue.DeadLettersAsync());
        Assert.Equal(DeadLetterReasons.MaxDequeueCountExceeded, record.Reason);
        Assert.Contains("ProviderUnavailable", record.Description, StringComparison.Ordinal);
        Assert.Null(record.ExceptionType);
        Assert.Empty(await queue.PeekAsync());
    }

    [Fact]
    public async Task DeadLetter_poisons_on_the_first_delivery()
    {
        var queue = new QueueScope(azurite);
        await queue.CreateAsync();
        var text = Convert.ToBase64String(Encoding.UTF8.GetBytes("{ not an event"));
        var id = await queue.SendRawAsync(text);
        var probe = new FunctionProbe();
        probe.Handle(queue.Name, (_, _) => Task.FromResult(QueueSettlement.DeadLetter("MalformedEvent", "data.callId is missing")));
        using var metrics = new MetricRecorder(queue.Name);

        await using (await TestHost.StartAsync(azurite.ConnectionString, probe, NoSettings, [queue.Name]))
        {
            await Eventually.WaitAsync(async () => (await queue.PeekPoisonAsync()).Length == 1, "the message was dead-lettered");
            await Eventually.WaitAsync(async () => (await queue.PeekAsync()).Length == 0, "the original was deleted");
        }

        Assert.Single(probe.CallsTo(queue.Name));
        var poisonText = Assert.Single(await queue.PeekPoisonAsync()).Body.ToString();
        Assert.False(poisonText.TrimStart().StartsWith('{'), "with messageEncoding base64 the record is base64 too");
        var record = DeadLetterRecordSerializer.FromMessageText(poisonText);
        Assert.Equal(DeadLetterRecord.CurrentSchemaVersion, record.SchemaVersion);
        Assert.Equal("MalformedEvent", record.Reason);
        Assert.Equal("data.callId is missing", record.Description);
        Assert.Equal(id, record.MessageId);
        Assert.Equal(1, record.DequeueCount);
        Assert.Equal("base64", record.MessageEncoding);
        Assert.Equal(text, record.GetOriginalMessageText());
        Assert.Equal(1, metrics.Sum("push.hosting.queue.messages.dead_lettered", "MalformedEvent"));
    }

    [Fact]
    public async Task An_undecodable_message_is_poisoned_without_running_the_function()
    {
        var queue = new QueueScope(azurite);
        await queue.CreateAsync();
        const string text = "this is not base64 {!}";
        await queue.SendRawAsync(text);
        await queue.SendAsync("fine");
        var probe = new FunctionProbe();

        await using (await TestHost.StartAsync(azurite.ConnectionString, probe, NoSettings, [queue.Name]))
        {
            await Eventually.WaitAsync(async () => (await queue.PeekPoisonAsync()).Length == 1, "the message was poisoned");
            await Eventually.WaitAsync(async () => (await queue.PeekAsync()).Length == 0, "the queue drained");
        }

        var call = Assert.Single(probe.CallsTo(queue.Name));
        Assert.Equal("fine", call.Message.Body.ToString());
        var record = Assert.Single(await queue.DeadLettersAsync());
        Assert.Equal(DeadLetterReasons.UndecodableMessage, record.Reason);
        Assert.Equal(text, record.GetOriginalMessageText());
        Assert.Null(record.TryGetOriginalBody());
    }

    [Fact]
    public async Task MessageEncoding_none_passes_the_text_through_and_base64_decodes_it()
    {
        var plain = new QueueScope(azurite, "plain");
        var encoded = new QueueScope(azurite, "b64");
        await plain.CreateAsync();
        await encoded.CreateAsync();
        const string body = """{"preview":"grüße, 你好"}""";
        await plain.SendRawAsync(body);
        await encoded.SendAsync(body);
        await plain.SendRawAsync("dead");
        var probe = new FunctionProbe();
        probe.Handle(plain.Name, (message, _) => Task.FromResult(message.Body.ToString() == "dead"
            ? QueueSettlement.DeadLetter("Test", "dead on arrival")
            : QueueSettlement.Complete));
        var settings = new Dictionary<string, string?>
        {
            [TestHost.Queues + $"queueOverrides:{plain.Name}:messageEncoding"] = "none",
        };

        await using (await TestHost.StartAsync(azurite.ConnectionString, probe, settings, [plain.Name, encoded.Name]))
        {
            await Eventually.WaitAsync(() => probe.Calls.Count == 3, "all three messages were delivered");
            await Eventually.WaitAsync(async () => (await plain.PeekPoisonAsync()).Length == 1, "the plain message was dead-lettered");
        }

        Assert.Contains(probe.CallsTo(plain.Name), c => c.Message.Body.ToString() == body);
        Assert.Equal(body, Assert.Single(probe.CallsTo(encoded.Name)).Message.Body.ToString());
        var poisonText = Assert.Single(await plain.PeekPoisonAsync()).Body.ToString();
        Assert.StartsWith("{", poisonText, StringComparison.Ordinal);
        var record = DeadLetterRecordSerializer.FromMessageText(poisonText);
        Assert.Equal("none", record.MessageEncoding);
        Assert.Equal("dead", record.TryGetOriginalBody()?.ToString());
    }

    /// <summary>Sums the Push.Hosting counters of one queue.</summary>
    private sealed class MetricRecorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<(string Instrument, long Value, string? Reason)> _measurements = new();

        public MetricRecorder(string queueName)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Push.Hosting") listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                string? queue = null, reason = null;
                foreach (var tag in tags)
                {
                    if (tag.Key == "queue") queue = tag.Value as string;
                    if (tag.Key == "reason") reason = tag.Value as string;
                }
                if (queue == queueName) _measurements.Enqueue((instrument.Name, value, reason));
            });
            _listener.Start();
        }

        public long Sum(string instrument, string? reason = null) =>
            _measurements.Where(m => m.Instrument == instrument && (reason is null || m.Reason == reason)).Sum(m => m.Value);

        public void Dispose() => _listener.Dispose();
    }
}
