using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Push.Hosting.Configuration;
using Push.Hosting.Queues;
using Push.Hosting.Tests.Infrastructure;

namespace Push.Hosting.Tests;

public sealed class HostJsonConfigurationTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("push-hosting-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string WriteHostJson(string json)
    {
        var path = Path.Combine(_folder, "host.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static QueueTriggerOptions Read(IConfiguration configuration, string queue, out List<string> errors, int processors = 2)
    {
        errors = [];
        return QueueTriggerOptions.Read(configuration, queue, processors, errors);
    }

    [Fact]
    public void Host_json_queue_settings_are_bound()
    {
        var path = WriteHostJson("""
            {
              // comments are allowed, as in Functions
              "version": "2.0",
              "functionTimeout": "00:01:30",
              "extensions": { "queues": {
                "batchSize": 8, "newBatchThreshold": 3, "maxPollingInterval": "00:00:02",
                "visibilityTimeout": "00:00:05", "maxDequeueCount": 3, "messageEncoding": "none", "leaseDuration": "00:00:30"
              } }
            }
            """);
        var configuration = new ConfigurationBuilder().AddFunctionsHostJson(path, optional: false, new Dictionary<string, string?>()).Build();

        var options = Read(configuration, "push-calls", out var errors);
        var reader = new SettingReader();
        var host = FunctionsHostOptions.Read(configuration, reader);

        Assert.Empty(errors);
        Assert.Empty(reader.Errors);
        Assert.Equal(8, options.BatchSize);
        Assert.Equal(3, options.NewBatchThreshold);
        Assert.Equal(TimeSpan.FromSeconds(2), options.MaxPollingInterval);
        Assert.Equal(TimeSpan.FromSeconds(5), options.VisibilityTimeout);
        Assert.Equal(3, options.MaxDequeueCount);
        Assert.Equal(QueueMessageEncoding.None, options.MessageEncoding);
        Assert.Equal(TimeSpan.FromSeconds(30), options.LeaseDuration);
        Assert.Equal(TimeSpan.FromSeconds(90), host.FunctionTimeout);
        Assert.Equal("8", configuration["AzureFunctionsJobHost:extensions:queues:batchSize"]);
    }

    [Fact]
    public void Defaults_are_those_of_Azure_Functions()
    {
        var path = WriteHostJson("""{ "version": "2.0" }""");
        var configuration = new ConfigurationBuilder().AddFunctionsHostJson(path, optional: false, new Dictionary<string, string?>()).Build();

        var options = Read(configuration, "push-calls", out var errors, processors: 4);
        var host = FunctionsHostOptions.Read(configuration, new SettingReader());

        Assert.Empty(errors);
        Assert.Equal(16, options.BatchSize);
        Assert.Equal(16 / 2 * 4, options.NewBatchThreshold);
        Assert.Equal(TimeSpan.FromMinutes(1), options.MaxPollingInterval);
        Assert.Equal(TimeSpan.Zero, options.VisibilityTimeout);
        Assert.Equal(5, options.MaxDequeueCount);
        Assert.Equal(QueueMessageEncoding.Base64, options.MessageEncoding);
        Assert.Equal(TimeSpan.FromMinutes(10), options.LeaseDuration);
        Assert.Equal(TimeSpan.FromMinutes(5), host.FunctionTimeout);
        Assert.Null(host.ShutdownTimeout);
    }

    [Fact]
    public void Function_timeout_minus_one_means_no_limit()
    {
        var path = WriteHostJson("""{ "version": "2.0", "functionTimeout": "-1" }""");
        var configuration = new ConfigurationBuilder().AddFunctionsHostJson(path, optional: false, new Dictionary<string, string?>()).Build();

        Assert.Null(FunctionsHostOptions.Read(configuration, new SettingReader()).FunctionTimeout);
    }

    [Fact]
    public void AzureFunctionsJobHost_environment_variables_override_host_json_even_when_added_earlier()
    {
        var path = WriteHostJson("""{ "version": "2.0", "extensions": { "queues": { "batchSize": 8, "maxDequeueCount": 7 } } }""");
        var environment = new Dictionary<string, string?>
        {
            ["AzureFunctionsJobHost__extensions__queues__batchSize"] = "4",
            ["UNRELATED"] = "x",
        };
        var configuration = new ConfigurationBuilder()
            // What the default builder's environment provider had already put there, before host.json was added.
            .AddInMemoryCollection(new Dictionary<string, string?> { ["AzureFunctionsJobHost:extensions:queues:batchSize"] = "4" })
            .AddFunctionsHostJson(path, optional: false, environment)
            .Build();

        var options = Read(configuration, "push-messages", out var errors);

        Assert.Empty(errors);
        Assert.Equal(4, options.BatchSize);
        Assert.Equal(7, options.MaxDequeueCount);
    }

    [Fact]
    public void Real_process_environment_variables_are_read()
    {
        var queue = Push.Testing.AzuriteFixture.UniqueName("envq");
        var variable = $"AzureFunctionsJobHost__extensions__queues__queueOverrides__{queue}__maxDequeueCount";
        var path = WriteHostJson("""{ "version": "2.0" }""");
        Environment.SetEnvironmentVariable(variable, "9");
        try
        {
            var configuration = new ConfigurationBuilder().AddFunctionsHostJson(path).Build();
            Assert.Equal(9, Read(configuration, queue, out _).MaxDequeueCount);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void Per_queue_overrides_win_for_their_queue_only()
    {
        var path = WriteHostJson("""
            { "version": "2.0", "extensions": { "queues": {
                "batchSize": 16, "maxPollingInterval": "00:00:10",
                "queueOverrides": { "push-calls": { "batchSize": 4, "maxPollingInterval": "00:00:00.500" } } } } }
            """);
        var configuration = new ConfigurationBuilder().AddFunctionsHostJson(path, optional: false, new Dictionary<string, string?>()).Build();

        var calls = Read(configuration, "push-calls", out var callErrors, processors: 2);
        var messages = Read(configuration, "push-messages", out var messageErrors, processors: 2);

        Assert.Empty(callErrors);
        Assert.Empty(messageErrors);
        Assert.Equal(4, calls.BatchSize);
        Assert.Equal(4 / 2 * 2, calls.NewBatchThreshold);
        Assert.Equal(TimeSpan.FromMilliseconds(500), calls.MaxPollingInterval);
        Assert.Equal(16, messages.BatchSize);
        Assert.Equal(TimeSpan.FromSeconds(10), messages.MaxPollingInterval);
    }

    [Fact]
    public void Validation_errors_name_each_bad_key()
    {
        var path = WriteHostJson("""
            { "version": "2.0", "functionTimeout": "soon", "extensions": { "queues": {
                "batchSize": 33, "maxPollingInterval": "00:00:00.050", "messageEncoding": "utf7", "maxDequeueCount": 0,
                "queueOverrides": { "push-calls": { "visibilityTimeout": "8.00:00:00" } } } } }
            """);
        var configuration = new ConfigurationBuilder().AddFunctionsHostJson(path, optional: false, new Dictionary<string, string?>()).Build();

        Read(configuration, "push-calls", out var errors);
        var reader = new SettingReader();
        FunctionsHostOptions.Read(configuration, reader);

        Assert.Contains(errors, e => e.StartsWith("AzureFunctionsJobHost:extensions:queues:batchSize must be 1..32", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("AzureFunctionsJobHost:extensions:queues:maxPollingInterval must be", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("AzureFunctionsJobHost:extensions:queues:messageEncoding must be one of 'base64', 'none'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("AzureFunctionsJobHost:extensions:queues:maxDequeueCount must be", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("AzureFunctionsJobHost:extensions:queues:queueOverrides:push-calls:visibilityTimeout must be", StringComparison.Ordinal));
        Assert.Equal(5, errors.Count);
        Assert.Contains(reader.Errors, e => e.StartsWith("AzureFunctionsJobHost:functionTimeout must be", StringComparison.Ordinal));
    }

    [Fact]
    public void Host_json_without_version_2_is_refused()
    {
        var path = WriteHostJson("""{ "extensions": { "queues": { "batchSize": 8 } } }""");
        var error = Assert.Throws<InvalidDataException>(() => new ConfigurationBuilder().AddFunctionsHostJson(path).Build());
        Assert.Contains("AzureFunctionsJobHost:version", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_host_json_fails_unless_optional()
    {
        var path = Path.Combine(_folder, "absent.json");
        Assert.Throws<FileNotFoundException>(() => new ConfigurationBuilder().AddFunctionsHostJson(path).Build());
        var configuration = new ConfigurationBuilder().AddFunctionsHostJson(path, optional: true).Build();
        Assert.Equal(16, Read(configuration, "push-calls", out _).BatchSize);
    }

    [Fact]
    public async Task Host_start_fails_with_the_bad_key_named()
    {
        using var host = TestHost.Build("UseDevelopmentStorage=true", new FunctionProbe(),
            new Dictionary<string, string?> { [TestHost.Queues + "batchSize"] = "40" }, ["push-calls"]);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("AzureFunctionsJobHost:extensions:queues:batchSize must be 1..32", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_start_fails_naming_AzureWebJobsStorage_when_it_is_missing()
    {
        using var host = TestHost.Build(connectionString: null, new FunctionProbe(), new Dictionary<string, string?>(), ["push-calls"]);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains("'AzureWebJobsStorage'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_start_refuses_an_invalid_queue_name()
    {
        using var host = TestHost.Build("UseDevelopmentStorage=true", new FunctionProbe(), new Dictionary<string, string?>(), ["Push_Calls"]);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("queue name 'Push_Calls'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Shutdown_timeout_sets_the_generic_host_grace_period()
    {
        using var host = TestHost.Build("UseDevelopmentStorage=true", new FunctionProbe(),
            new Dictionary<string, string?> { ["AzureFunctionsJobHost:shutdownTimeout"] = "00:00:07" }, ["push-calls"]);

        Assert.Equal(TimeSpan.FromSeconds(7), host.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
    }
}
