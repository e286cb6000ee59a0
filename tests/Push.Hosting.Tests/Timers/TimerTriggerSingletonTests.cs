using System.Diagnostics;
using Push.Hosting.Tests.Infrastructure;
using Push.Testing;
using Xunit.Abstractions;

namespace Push.Hosting.Tests.Timers;

/// <summary>
/// Several instances of the host in one process, sharing one Azurite and one simulated clock: the blob lease makes the
/// timer run on one of them at a time. Leases expire in real time (Storage's clock), so handovers take real seconds.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TimerTriggerSingletonTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private const string Every20Minutes = "0 */20 * * * *";
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 30, TimeSpan.Zero);

    /// <summary>Bounds a handover after a crash: one 15-second lease, plus acquire attempts and a slow machine.</summary>
    private static readonly TimeSpan HandoverTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Three_instances_over_three_hours_run_each_occurrence_exactly_once_on_one_instance_at_a_time()
    {
        var test = new TimerTestHost(azurite, Start);
        var hosts = new List<TimerHost>
        {
            await test.StartAsync("a", Every20Minutes),
            await test.StartAsync("b", Every20Minutes),
            await test.StartAsync("c", Every20Minutes),
        };
        try
        {
            int Expected(DateTimeOffset now) => TimerTestHost.Occurrences(Every20Minutes, Start, now).Count;
            var first = await test.WaitForHolderAsync(hosts);
            await test.AdvanceAsync(TimeSpan.FromHours(1), TimeSpan.FromMinutes(1), Expected);

            // Hour two: the holder is stopped gracefully and another instance carries on.
            await first.StopAsync();
            var second = await test.WaitForHolderAsync(hosts.Where(h => h != first));
            await test.AdvanceAsync(TimeSpan.FromHours(1), TimeSpan.FromMinutes(1), Expected);

            // Hour three: that one crashes (its lease is left to expire) and the last instance carries on.
            await second.CrashAsync();
            var third = await test.WaitForHolderAsync(hosts.Where(h => h != first && h != second), HandoverTimeout);
            await test.AdvanceAsync(TimeSpan.FromHours(1), TimeSpan.FromMinutes(1), Expected);
            // Give a duplicate a moment to show itself before counting.
            await Task.Delay(TimeSpan.FromSeconds(1));

            var expected = TimerTestHost.Occurrences(Every20Minutes, Start, Start.AddHours(3));
            Assert.Equal(9, expected.Count);
            var runs = test.Probe.Snapshot();
            Assert.Equal(expected, runs.Select(r => r.Info.ScheduledTime));
            Assert.All(runs, r => Assert.False(r.Info.IsPastDue));
            Assert.Equal(1, test.Probe.MaxConcurrent);
            Assert.Equal([first.Label, first.Label, first.Label, second.Label, second.Label, second.Label, third.Label, third.Label, third.Label],
                runs.Select(r => r.Host));
            output.WriteLine($"runs: {string.Join(", ", runs.Select(r => $"{r.Info.ScheduledTime:HH:mm}@{r.Host}"))}");
        }
        finally
        {
            foreach (var host in hosts) await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_holder_keeps_the_lease_past_its_duration_by_renewing_it()
    {
        var test = new TimerTestHost(azurite, Start);
        var hosts = new List<TimerHost> { await test.StartAsync("a", Every20Minutes), await test.StartAsync("b", Every20Minutes) };
        try
        {
            var holder = await test.WaitForHolderAsync(hosts);
            var other = hosts.Single(h => h != holder);

            // One and a half 15-second leases: without renewal the lease would have expired and the other instance,
            // trying every 0.5 s, would have taken it.
            await Task.Delay(TimeSpan.FromSeconds(23));

            Assert.True(holder.HoldsLease(test.FunctionName));
            Assert.False(other.HoldsLease(test.FunctionName));
            await test.AdvanceAsync(TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(1),
                now => TimerTestHost.Occurrences(Every20Minutes, Start, now).Count);
            Assert.Equal(holder.Label, Assert.Single(test.Probe.Snapshot()).Host);
        }
        finally
        {
            foreach (var host in hosts) await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task Killing_the_lease_holder_hands_the_timer_to_another_instance_within_a_lease_period()
    {
        var test = new TimerTestHost(azurite, Start);
        var hosts = new List<TimerHost> { await test.StartAsync("a", Every20Minutes), await test.StartAsync("b", Every20Minutes) };
        try
        {
            var holder = await test.WaitForHolderAsync(hosts);
            await test.AdvanceAsync(TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(1),
                now => TimerTestHost.Occurrences(Every20Minutes, Start, now).Count);
            Assert.Equal(holder.Label, Assert.Single(test.Probe.Snapshot()).Host);

            var clock = Stopwatch.StartNew();
            await holder.CrashAsync();
            var successor = await test.WaitForHolderAsync(hosts.Where(h => h != holder), HandoverTimeout);
            clock.Stop();
            output.WriteLine($"handover after a crash took {clock.Elapsed.TotalSeconds:F1} s of real time (lease 15 s, acquire interval 0.5 s)");

            await test.AdvanceAsync(TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(1),
                now => TimerTestHost.Occurrences(Every20Minutes, Start, now).Count);
            var runs = test.Probe.Snapshot();
            Assert.Equal(2, runs.Count);
            Assert.Equal(successor.Label, runs[1].Host);
            Assert.NotEqual(holder.Label, successor.Label);
            Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 40, 0, TimeSpan.Zero), runs[1].Info.ScheduledTime);
            Assert.False(runs[1].Info.IsPastDue);
            Assert.Equal(runs[0].Info.ScheduledTime, runs[1].Info.LastRun);
        }
        finally
        {
            foreach (var host in hosts) await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_graceful_stop_releases_the_lease_so_another_instance_takes_over_without_waiting_for_it_to_expire()
    {
        var test = new TimerTestHost(azurite, Start);
        // A 60-second lease: a takeover within the 30 seconds allowed below is only possible if the lease was released.
        test.Settings[TimerTestHost.Timers + "leaseDuration"] = "00:01:00";
        var hosts = new List<TimerHost> { await test.StartAsync("a", Every20Minutes), await test.StartAsync("b", Every20Minutes) };
        try
        {
            var holder = await test.WaitForHolderAsync(hosts);

            var clock = Stopwatch.StartNew();
            await holder.StopAsync();
            var successor = await test.WaitForHolderAsync(hosts.Where(h => h != holder), TimeSpan.FromSeconds(30));
            clock.Stop();
            output.WriteLine($"handover after a graceful stop took {clock.Elapsed.TotalSeconds:F1} s of real time (lease 60 s, acquire interval 0.5 s)");

            await test.AdvanceAsync(TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(1),
                now => TimerTestHost.Occurrences(Every20Minutes, Start, now).Count);
            var run = Assert.Single(test.Probe.Snapshot());
            Assert.Equal(successor.Label, run.Host);
            Assert.False(run.Info.IsPastDue);
        }
        finally
        {
            foreach (var host in hosts) await host.DisposeAsync();
        }
    }
}
