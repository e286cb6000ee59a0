using LocalFunctionsHost.Tests.Infrastructure;
using Push.Testing;

namespace LocalFunctionsHost.Tests;

/// <summary>The timer trigger: NCRONTAB schedules, one host at a time through the blob lease, past due, run on startup.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class TimerTriggerTests(AzuriteFixture azurite)
{
    private readonly Scenario _scenario = new(azurite);

    [Fact]
    public async Task Two_hosts_of_one_app_run_a_timer_on_one_of_them_and_the_other_takes_over_when_it_stops()
    {
        var values = _scenario.Values();
        values["AzureWebJobs.Tick.Disabled"] = "false";
        values["TickSchedule"] = "*/2 * * * * *";
        values["LocalFunctionsHost__TimerLeaseAcquireInterval"] = "00:00:01";
        using var app = AppFolder.Create(new { version = "2.0" }, values);
        await using var a = await HostProcess.StartReadyAsync(app, new Dictionary<string, string?> { ["SAMPLE_INSTANCE"] = "a" });
        await using var b = await HostProcess.StartReadyAsync(app, new Dictionary<string, string?> { ["SAMPLE_INSTANCE"] = "b" });

        var markers = await _scenario.WaitForMarkersAsync(m => m.Count(x => x.Function == "Tick") >= 3, "three ticks", a);
        var ticks = markers.Where(x => x.Function == "Tick").ToList();
        var holder = ticks[0].Instance;
        // Every run on the host holding the lease, none on the other.
        Assert.All(ticks, x => Assert.Equal(holder, x.Instance));
        Assert.All(ticks, x => Assert.False(x.IsPastDue));

        var (stopped, other) = holder == "a" ? (a, "b") : (b, "a");
        Assert.Equal(0, await stopped.TerminateAsync());
        await _scenario.WaitForMarkersAsync(m => m.Any(x => x.Function == "Tick" && x.Instance == other), "a tick on the other host",
            holder == "a" ? b : a);
        Assert.Contains("lease released True", stopped.Output);
    }

    [Fact]
    public async Task A_missed_occurrence_runs_once_as_past_due_and_runOnStartup_runs_at_start()
    {
        var values = _scenario.Values();
        values["AzureWebJobs.Tick.Disabled"] = "false";
        values["AzureWebJobs.StartupTick.Disabled"] = "false";
        // Yearly: the only runs can be the catch-up and the startup run.
        values["TickSchedule"] = "0 0 0 1 1 *";
        using var app = AppFolder.Create(new { version = "2.0" }, values);
        // The status a host that last ran on 2020-01-01 left behind: the 2021 occurrence was missed (and every one since).
        var container = _scenario.HostContainer();
        await container.CreateIfNotExistsAsync();
        var status = container.GetBlobClient($"timers/{_scenario.HostId}/Host.Functions.Tick/status");
        await status.UploadAsync(BinaryData.FromString(
            """{"Last":"2020-01-01T00:00:00+00:00","Next":"2021-01-01T00:00:00+00:00","LastUpdated":"2020-01-01T00:00:05+00:00"}"""));

        await using var host = await HostProcess.StartReadyAsync(app);
        var markers = await _scenario.WaitForMarkersAsync(m => m.Any(x => x.Function == "Tick") && m.Any(x => x.Function == "StartupTick"),
            "the catch-up and the startup run", host);

        var tick = markers.Single(x => x.Function == "Tick");
        Assert.True(tick.IsPastDue);
        Assert.Equal(new DateTime(2020, 1, 1), tick.ScheduleLast!.Value.ToUniversalTime().Date);
        Assert.Equal(new DateTime(2021, 1, 1), tick.ScheduleNext!.Value.ToUniversalTime().Date);
        var startup = markers.Single(x => x.Function == "StartupTick");
        Assert.False(startup.IsPastDue);
        // useMonitor false: no schedule status is kept, so none is given.
        Assert.Null(startup.ScheduleLast);
        // The catch-up was recorded: the next occurrence now lies ahead.
        var recorded = (await status.DownloadContentAsync()).Value.Content.ToString();
        Assert.Contains($"\"Next\":\"{DateTime.UtcNow.Year + 1}-01-01T00:00:00+00:00\"", recorded);
    }
}
