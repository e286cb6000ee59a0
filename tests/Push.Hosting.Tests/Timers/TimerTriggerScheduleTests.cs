using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Push.Hosting.Tests.Infrastructure;
using Push.Testing;

namespace Push.Hosting.Tests.Timers;

[Collection(AzuriteCollection.Name)]
public sealed class TimerTriggerScheduleTests(AzuriteFixture azurite)
{
    private const string Every5Minutes = "0 */5 * * * *";
    private const string Every20Minutes = "0 */20 * * * *";
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 30, TimeSpan.Zero);

    [Fact]
    public async Task Runs_once_per_occurrence_as_the_clock_advances_and_records_the_status()
    {
        var test = new TimerTestHost(azurite, Start);
        await using var host = await test.StartAsync("a", Every5Minutes);
        await test.WaitForHolderAsync([host]);

        await test.AdvanceAsync(TimeSpan.FromHours(1), TimeSpan.FromMinutes(1),
            now => TimerTestHost.Occurrences(Every5Minutes, Start, now).Count);

        var expected = TimerTestHost.Occurrences(Every5Minutes, Start, Start.AddHours(1));
        Assert.Equal(12, expected.Count);
        var runs = test.Probe.Snapshot();
        Assert.Equal(expected, runs.Select(r => r.Info.ScheduledTime));
        Assert.All(runs, r => Assert.False(r.Info.IsPastDue));
        Assert.All(runs, r => Assert.Equal(test.FunctionName, r.Info.FunctionName));
        Assert.All(runs, r => Assert.Equal(r.Info.ScheduledTime.AddMinutes(5), r.Info.NextRun));
        Assert.Null(runs[0].Info.LastRun);
        for (var i = 1; i < runs.Count; i++) Assert.Equal(runs[i - 1].Info.ScheduledTime, runs[i].Info.LastRun);

        // The status the next holder would start from (Functions' ScheduleStatus shape).
        await Eventually.WaitAsync(async () => (await test.ReadStatusAsync())?.GetProperty("Last").GetDateTimeOffset() == expected[^1],
            "the last run was recorded");
        var status = (await test.ReadStatusAsync())!.Value;
        Assert.Equal(expected[^1].AddMinutes(5), status.GetProperty("Next").GetDateTimeOffset());
        Assert.Equal(System.Text.Json.JsonValueKind.String, status.GetProperty("LastUpdated").ValueKind);
    }

    [Fact]
    public async Task Run_on_startup_runs_once_when_the_lease_is_first_acquired_then_follows_the_schedule()
    {
        var test = new TimerTestHost(azurite, Start);
        await using var host = await test.StartAsync("a", Every5Minutes, runOnStartup: true);
        await test.WaitForHolderAsync([host]);
        await Eventually.WaitAsync(() => test.Probe.Completed == 1, "the startup run");

        var startup = Assert.Single(test.Probe.Snapshot());
        Assert.Equal(Start, startup.Info.ScheduledTime);
        Assert.False(startup.Info.IsPastDue);
        Assert.Equal(Start.AddSeconds(270), startup.Info.NextRun);

        await test.AdvanceAsync(TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(1),
            now => 1 + TimerTestHost.Occurrences(Every5Minutes, Start, now).Count);

        var runs = test.Probe.Snapshot();
        Assert.Equal([Start, Start.AddSeconds(270), Start.AddSeconds(570)], runs.Select(r => r.Info.ScheduledTime));
        Assert.Equal(Start, runs[1].Info.LastRun);
    }

    [Fact]
    public async Task A_run_missed_while_no_instance_was_up_is_caught_up_once_as_past_due()
    {
        var test = new TimerTestHost(azurite, Start);
        await using (var first = await test.StartAsync("first", Every20Minutes))
        {
            await test.WaitForHolderAsync([first]);
            await test.AdvanceAsync(TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(1),
                now => TimerTestHost.Occurrences(Every20Minutes, Start, now).Count);
            await Eventually.WaitAsync(async () => (await test.ReadStatusAsync())?.GetProperty("Last").ValueKind == System.Text.Json.JsonValueKind.String,
                "the run at 00:20 was recorded");
            await first.StopAsync();
        }

        // Two hours of downtime: six occurrences (00:40 … 02:20) pass with no instance running.
        test.Clock.Advance(TimeSpan.FromHours(2));
        var restartedAt = test.Clock.GetUtcNow();
        await using var second = await test.StartAsync("second", Every20Minutes);
        await Eventually.WaitAsync(() => test.Probe.Completed == 2, "the catch-up run");

        var catchUp = test.Probe.Snapshot()[1];
        Assert.Equal("second", catchUp.Host);
        Assert.True(catchUp.Info.IsPastDue);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 40, 0, TimeSpan.Zero), catchUp.Info.ScheduledTime);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 20, 0, TimeSpan.Zero), catchUp.Info.LastRun);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 2, 40, 0, TimeSpan.Zero), catchUp.Info.NextRun);

        // Runs are sequential on the holder, so if the missed occurrences were replayed one by one they would all come
        // before the 02:40 run: the third run being 02:40 shows they were caught up exactly once.
        await test.AdvanceAsync(TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(1),
            now => 2 + TimerTestHost.Occurrences(Every20Minutes, restartedAt, now).Count);
        var runs = test.Probe.Snapshot();
        Assert.Equal(3, runs.Count);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 2, 40, 0, TimeSpan.Zero), runs[2].Info.ScheduledTime);
        Assert.False(runs[2].Info.IsPastDue);
        Assert.Equal(restartedAt, runs[2].Info.LastRun);
    }

    [Fact]
    public async Task A_run_that_throws_is_logged_by_exception_type_only_and_the_schedule_continues()
    {
        var test = new TimerTestHost(azurite, Start);
        var logs = new CapturedLogs();
        var outcomes = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var meter = new MeterListener();
        meter.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Push.Hosting" && instrument.Name == "push.hosting.timer.runs") listener.EnableMeasurementEvents(instrument);
        };
        meter.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            var tagList = tags.ToArray();
            // Other tests' timers publish on the same meter: count only this test's function.
            if (tagList.Any(t => t.Key == "function" && (string?)t.Value == test.FunctionName))
            {
                outcomes.Enqueue((string)tagList.Single(t => t.Key == "outcome").Value!);
            }
        });
        meter.Start();
        var calls = 0;
        test.Probe.Handler = (_, _) => Interlocked.Increment(ref calls) == 1
            ? throw new InvalidOperationException("token=very-secret-value")
            : Task.CompletedTask;
        await using var host = await test.StartAsync("a", Every5Minutes, logs: logs);
        await test.WaitForHolderAsync([host]);

        await test.AdvanceAsync(TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(1),
            now => TimerTestHost.Occurrences(Every5Minutes, Start, now).Count);

        Assert.Equal(2, test.Probe.Snapshot().Count);
        var failure = Assert.Single(logs.Lines, l => l.EventId == 3063);
        Assert.Contains("System.InvalidOperationException", failure.Text);
        Assert.DoesNotContain(logs.Lines, l => l.Text.Contains("very-secret-value", StringComparison.Ordinal));
        Assert.Equal(["failed", "succeeded"], outcomes.ToArray());
        // The failed run still counts as the occurrence's run: the next one follows it.
        Assert.Equal(test.Probe.Snapshot()[0].Info.ScheduledTime, test.Probe.Snapshot()[1].Info.LastRun);
    }

    [Fact]
    public async Task A_schedule_setting_that_is_missing_or_invalid_stops_the_host_at_start_naming_function_and_setting()
    {
        var test = new TimerTestHost(azurite, Start);
        test.Settings["Timers:Triage"] = "*/5 * * * *";
        test.Settings[TimerTestHost.Timers + "leaseDuration"] = "00:00:05";

        using var missing = test.Build("a", "%Timers:RefreshProviderTokens%");
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => missing.StartAsync());
        Assert.Contains(error.Failures, f => f.Contains(test.FunctionName, StringComparison.Ordinal) && f.Contains("'Timers:RefreshProviderTokens'", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("AzureFunctionsJobHost:extensions:timers:leaseDuration", StringComparison.Ordinal));

        using var invalid = test.Build("b", "%Timers:Triage%");
        error = await Assert.ThrowsAsync<OptionsValidationException>(() => invalid.StartAsync());
        Assert.Contains(error.Failures, f => f.Contains(test.FunctionName, StringComparison.Ordinal) && f.Contains("'Timers:Triage'", StringComparison.Ordinal));
        Assert.Empty(test.Probe.Snapshot());
    }
}
