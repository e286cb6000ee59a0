using System.Text.Json;

namespace Push.Functions.Tests;

/// <summary>
/// The build output is the deployment artifact: what the Functions host (Azure, Core Tools, or the local stand-in) reads
/// to know which functions exist and what triggers them.
/// </summary>
public sealed class FunctionMetadataTests
{
    private static Dictionary<string, JsonElement> Functions()
    {
        using var metadata = BuiltFunctionApp.ReadJson("functions.metadata");
        return metadata.RootElement.EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!, f => f.Clone());
    }

    private static JsonElement Trigger(JsonElement function) =>
        Assert.Single(function.GetProperty("bindings").EnumerateArray(), b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));

    [Fact]
    public void The_app_has_exactly_the_six_functions()
    {
        Assert.Equal(["DeliverCall", "DeliverMessage", "ManageDevices", "ProcessDeadLetters", "RefreshProviderTokens", "RewrapDeviceKeys"],
            Functions().Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("DeliverCall", "%Queues:Calls%")]
    [InlineData("DeliverMessage", "%Queues:Messages%")]
    [InlineData("ManageDevices", "%Queues:Devices%")]
    public void Each_queue_function_is_triggered_by_its_queue_setting_on_the_functions_storage_connection(string name, string queue)
    {
        var trigger = Trigger(Functions()[name]);
        Assert.Equal("queueTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal(queue, trigger.GetProperty("queueName").GetString());
        Assert.Equal("AzureWebJobsStorage", trigger.GetProperty("connection").GetString());
        // The body as bytes (a body that is not UTF-8 reaches the parser as sent), not a QueueMessage's MessageText.
        Assert.Equal("Binary", trigger.GetProperty("dataType").GetString());
    }

    [Theory]
    [InlineData("RefreshProviderTokens", "%Timers:RefreshProviderTokens%", true)]
    [InlineData("ProcessDeadLetters", "%Timers:ProcessDeadLetters%", false)]
    [InlineData("RewrapDeviceKeys", "%Timers:RewrapDeviceKeys%", false)]
    public void Each_timer_function_runs_on_its_schedule_setting(string name, string schedule, bool runOnStartup)
    {
        var trigger = Trigger(Functions()[name]);
        Assert.Equal("timerTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal(schedule, trigger.GetProperty("schedule").GetString());
        Assert.Equal(runOnStartup, trigger.TryGetProperty("runOnStartup", out var value) && value.GetBoolean());
    }

    [Fact]
    public void Every_function_is_in_the_apps_own_assembly_on_the_isolated_worker()
    {
        foreach (var function in Functions().Values)
        {
            Assert.Equal("Push.Functions.dll", function.GetProperty("scriptFile").GetString());
            Assert.Equal("dotnet-isolated", function.GetProperty("language").GetString());
        }
        using var worker = BuiltFunctionApp.ReadJson("worker.config.json");
        var description = worker.RootElement.GetProperty("description");
        Assert.Equal("dotnet-isolated", description.GetProperty("language").GetString());
        Assert.Equal("Push.Functions.dll", description.GetProperty("defaultWorkerPath").GetString());
    }

    [Fact]
    public void The_host_side_storage_queues_extension_ships_with_the_app()
    {
        using var extensions = BuiltFunctionApp.ReadJson("extensions.json");
        Assert.Contains(extensions.RootElement.GetProperty("extensions").EnumerateArray(),
            e => e.GetProperty("typeName").GetString()!.Contains("AzureStorageQueues", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(BuiltFunctionApp.Folder, ".azurefunctions", "Microsoft.Azure.WebJobs.Extensions.Storage.Queues.dll")));
        Assert.True(File.Exists(Path.Combine(BuiltFunctionApp.Folder, "host.json")));
    }
}
