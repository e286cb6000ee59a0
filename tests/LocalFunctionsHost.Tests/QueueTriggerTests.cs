using System.Globalization;
using System.Text.RegularExpressions;
using LocalFunctionsHost.Tests.Infrastructure;
using Push.Testing;

namespace LocalFunctionsHost.Tests;

/// <summary>The Storage-queue trigger's semantics, as the Functions host's queue listener has them.</summary>
[Collection(LocalHostCollection.Name)]
public sealed partial class QueueTriggerTests(AzuriteFixture azurite)
{
    private readonly Scenario _scenario = new(azurite);

    [Fact]
    public async Task A_failing_message_is_poisoned_on_exactly_maxDequeueCount_with_its_text_unchanged()
    {
        using var app = AppFolder.Create(new
        {
            version = "2.0",
            extensions = new { queues = new { maxDequeueCount = 3, maxPollingInterval = "00:00:01" } },
        }, _scenario.Values());
        await using var host = await HostProcess.StartReadyAsync(app);

        var sent = await _scenario.Queue(_scenario.EchoQueue).SendMessageAsync("throw");
        var poison = _scenario.RawQueue(_scenario.EchoQueue + "-poison");
        await Scenario.WaitUntilEmptyAsync(_scenario.RawQueue(_scenario.EchoQueue), "poisoned", host);
        await host.WaitForOutputAsync("has reached MaxDequeueCount of 3");

        var markers = await _scenario.ReadMarkersAsync();
        Assert.Equal([1L, 2L, 3L], markers.Where(x => x.Event == "started").Select(x => x.DequeueCount).Order());
        // Exactly the text that was sent (base64 of "throw"), no wrapper, no reason.
        Assert.Equal([Convert.ToBase64String("throw"u8)], await Scenario.PeekTextsAsync(poison));
        Assert.Contains(sent.Value.MessageId, host.Output);
    }

    [Fact]
    public async Task A_text_that_is_not_base64_goes_to_the_poison_queue_unchanged_without_reaching_the_function()
    {
        using var app = AppFolder.Create(new { version = "2.0", extensions = new { queues = new { maxPollingInterval = "00:00:01" } } }, _scenario.Values());
        await using var host = await HostProcess.StartReadyAsync(app);

        const string text = "not base64 at all: {\"id\": 1}";
        await _scenario.RawQueue(_scenario.EchoQueue).SendMessageAsync(text);
        await _scenario.Queue(_scenario.EchoQueue).SendMessageAsync("after it");
        await _scenario.WaitForMarkersAsync(m => m.Any(x => x is { Event: "completed", Text: "after it" }), "the next message", host);
        await Scenario.WaitUntilEmptyAsync(_scenario.RawQueue(_scenario.EchoQueue), "both settled", host);

        Assert.Equal([text], await Scenario.PeekTextsAsync(_scenario.RawQueue(_scenario.EchoQueue + "-poison")));
        Assert.DoesNotContain(await _scenario.ReadMarkersAsync(), x => x.Text == text);
        Assert.DoesNotContain(text, host.Output);
    }

    [Fact]
    public async Task A_failed_message_stays_invisible_for_visibilityTimeout_then_succeeds()
    {
        using var app = AppFolder.Create(new
        {
            version = "2.0",
            extensions = new { queues = new { visibilityTimeout = "00:00:03", maxPollingInterval = "00:00:00.500" } },
        }, _scenario.Values());
        await using var host = await HostProcess.StartReadyAsync(app);

        await _scenario.Queue(_scenario.EchoQueue).SendMessageAsync("throw-until:2");
        var markers = await _scenario.WaitForMarkersAsync(m => m.Any(x => x.Event == "completed"), "the second attempt", host);

        var first = markers.Single(x => x is { Event: "started", DequeueCount: 1 });
        var second = markers.Single(x => x is { Event: "started", DequeueCount: 2 });
        // A lower bound only: the message cannot come back before its visibility timeout has passed.
        Assert.True(second.At - first.At >= TimeSpan.FromSeconds(2.5), $"redelivered after {second.At - first.At}");
        Assert.Empty(await Scenario.PeekTextsAsync(_scenario.RawQueue(_scenario.EchoQueue + "-poison")));
    }

    [Fact]
    public async Task At_most_batchSize_plus_newBatchThreshold_messages_run_at_once()
    {
        using var app = AppFolder.Create(new
        {
            version = "2.0",
            extensions = new { queues = new { batchSize = 2, newBatchThreshold = 1, maxPollingInterval = "00:00:00.500" } },
        }, _scenario.Values());
        await using var host = await HostProcess.StartReadyAsync(app);

        var queue = _scenario.Queue(_scenario.EchoQueue);
        // Short and long ones in turn, so that a batch's messages do not all end together (which would let the count
        // fall to 0 before the next receive and hide the threshold).
        foreach (var i in Enumerable.Range(0, 9)) await queue.SendMessageAsync(i % 2 == 0 ? "sleep:200" : "sleep:1500");
        var markers = await _scenario.WaitForMarkersAsync(m => m.Count(x => x.Event == "completed") == 9, "nine completed", host,
            TimeSpan.FromSeconds(90));

        // A batch of 2, then another once no more than 1 runs: 3 at most, and 3 reached.
        Assert.Equal(3, markers.Where(x => x.Event == "started").Max(x => x.Concurrency));
    }

    [Fact]
    public async Task Empty_polls_back_off_doubling_up_to_maxPollingInterval_and_a_message_resets_them()
    {
        using var app = AppFolder.Create(new
        {
            version = "2.0",
            extensions = new { queues = new { maxPollingInterval = "00:00:01.600" } },
        }, _scenario.Values());
        var debug = new Dictionary<string, string?> { [$"Logging__LogLevel__LocalFunctionsHost.Queues.QueueListener.Echo"] = "Debug" };
        await using var host = await HostProcess.StartReadyAsync(app, debug);
        await WaitForDelaysAsync(host, 7);

        var atSend = Delays(host).Count;
        await _scenario.Queue(_scenario.EchoQueue).SendMessageAsync("hello");
        await _scenario.WaitForMarkersAsync(m => m.Any(x => x.Event == "completed"), "completed", host);
        await WaitForDelaysAsync(host, Delays(host).Count + 1);

        var delays = Delays(host);
        // 100 ms doubling with ±20 % jitter: 0.1, 0.2, 0.4, 0.8, then capped at 1.6 s.
        Assert.InRange(delays[0], 0.08, 0.12);
        Assert.InRange(delays[3], 0.64, 0.96);
        Assert.All(delays, d => Assert.True(d <= 1.6, $"delay {d} s beyond maxPollingInterval"));
        Assert.InRange(delays[6], 1.28, 1.6);
        // Before the message the delay was at its cap; after it the back-off starts from the shortest delay again.
        Assert.InRange(delays[atSend - 1], 1.28, 1.6);
        Assert.Contains(delays[atSend..], d => d is >= 0.08 and <= 0.12);
    }

    private static Task WaitForDelaysAsync(HostProcess host, int count) =>
        Eventually.TrueAsync(() => Delays(host).Count >= count, "poll delays to be logged:\n" + host.Output, TimeSpan.FromSeconds(60));

    private static List<double> Delays(HostProcess host) => PollDelay().Matches(host.Output)
        .Select(m => TimeSpan.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture).TotalSeconds).ToList();

    [GeneratedRegex(@"QueueListener\.Echo\[3004\] Queue \S+ was empty; polling again in (\S+)")]
    private static partial Regex PollDelay();
}
