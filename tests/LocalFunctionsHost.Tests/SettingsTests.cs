using LocalFunctionsHost.Tests.Infrastructure;
using Push.Testing;

namespace LocalFunctionsHost.Tests;

/// <summary>local.settings.json, %Setting% resolution, AzureWebJobs.X.Disabled and start-up validation.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class SettingsTests(AzuriteFixture azurite)
{
    private readonly Scenario _scenario = new(azurite);

    [Fact]
    public async Task LocalSettings_values_reach_the_worker_and_name_the_queues_and_the_environment_wins_over_them()
    {
        var values = _scenario.Values();
        values["SampleOverride"] = "from local.settings.json";
        using var app = AppFolder.Create(new { version = "2.0" }, values);
        await using var host = await HostProcess.StartReadyAsync(app, new Dictionary<string, string?> { ["SampleOverride"] = "from the environment" });

        await _scenario.Queue(_scenario.EchoQueue).SendMessageAsync("hello");
        var marker = (await _scenario.WaitForMarkersAsync(m => m.Any(x => x.Event == "completed"), "completed", host)).Last();

        // %EchoQueue% resolved from Values (the message arrived), and Values are the worker's environment.
        Assert.Equal("hello from local.settings.json", marker.Greeting);
        // Core Tools' precedence: a variable already set in the environment is kept, the Value skipped with a warning.
        Assert.Equal("from the environment", marker.Override);
        Assert.Contains("Skipping 'SampleOverride' from local settings as it's already defined in current environment variables.", host.Output);
    }

    [Fact]
    public async Task A_function_disabled_by_AzureWebJobs_Name_Disabled_is_not_listened_to()
    {
        var values = _scenario.Values();
        values["AzureWebJobs.EchoString.Disabled"] = "true";
        using var app = AppFolder.Create(new { version = "2.0", extensions = new { queues = new { maxPollingInterval = "00:00:00.500" } } }, values);
        await using var host = await HostProcess.StartReadyAsync(app);

        Assert.Contains("EchoString: queueTrigger (disabled)", host.Output);
        var ready = host.Output.Split('\n').Single(l => l.Contains(HostProcess.ReadyLine, StringComparison.Ordinal));
        Assert.Contains("Host started: 3 functions loaded (Echo:", ready);
        Assert.DoesNotContain("EchoString", ready);
        // A message sent to it first stays while one sent to an enabled function after it is processed.
        var disabled = _scenario.Queue(_scenario.StringQueue);
        await disabled.CreateIfNotExistsAsync();
        await disabled.SendMessageAsync("nobody listens");
        await _scenario.Queue(_scenario.EchoQueue).SendMessageAsync("hello");
        await _scenario.WaitForMarkersAsync(m => m.Any(x => x.Event == "completed"), "Echo completed", host);
        Assert.Equal(1, (await _scenario.RawQueue(_scenario.StringQueue).GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.DoesNotContain(await _scenario.ReadMarkersAsync(), x => x.Function == "EchoString");
    }

    [Fact]
    public async Task Unresolvable_settings_fail_the_start_naming_each_function_and_setting_and_stop_the_worker()
    {
        var values = _scenario.Values();
        values.Remove("StringQueue");
        values.Remove("TickSchedule");
        values["AzureWebJobs.Tick.Disabled"] = "false";
        using var app = AppFolder.Create(new { version = "2.0" }, values);
        await using var host = HostProcess.Start(app);

        Assert.Equal(1, await host.WaitForExitAsync());
        Assert.Contains("function EchoString: queueName '%StringQueue%' names the app setting 'StringQueue', which is missing or empty", host.Output);
        Assert.Contains("function Tick: schedule '%TickSchedule%' names the app setting 'TickSchedule', which is missing or empty", host.Output);
        Assert.True(await Processes.WaitUntilGoneAsync(host.WorkerIds.Single(), TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Bad_settings_are_reported_all_at_once_by_key_before_any_worker_starts()
    {
        using var app = AppFolder.Create(new { version = "2.0", functionTimeout = "soon", extensions = new { queues = new { batchSize = 64 } } },
            _scenario.Values());
        await using var host = HostProcess.Start(app, new Dictionary<string, string?>
        {
            ["LocalFunctionsHost__QueueVisibilityLease"] = "forever",
            ["AzureFunctionsJobHost__extensions__queues__messageEncoding"] = "rot13",
        });

        Assert.Equal(1, await host.WaitForExitAsync());
        Assert.Contains("AzureFunctionsJobHost:functionTimeout must be a time span", host.Output);
        Assert.Contains("AzureFunctionsJobHost:extensions:queues:batchSize must be a whole number from 1 to 32", host.Output);
        // An AzureFunctionsJobHost__ variable overrides host.json, and is checked as strictly.
        Assert.Contains("AzureFunctionsJobHost:extensions:queues:messageEncoding must be one of 'base64', 'none'", host.Output);
        Assert.Contains("LocalFunctionsHost:QueueVisibilityLease must be a time span", host.Output);
        Assert.DoesNotContain("rot13", host.Output);
        Assert.Empty(host.WorkerIds);
    }
}
