using System.Security.Cryptography;
using Push.EndToEnd.Tests.Infrastructure;
using Push.Testing;

namespace Push.EndToEnd.Tests;

/// <summary>
/// Failures a user can cause print one line that says what to do, exit non-zero, and show a stack trace
/// only with --verbose. The CLI runs as a child process, against a Storage port nothing listens on.
/// </summary>
public sealed class CliFailureEndToEndTests
{
    private readonly int _closedPort = FreePorts.Next();

    private Dictionary<string, string?> Settings() => new()
    {
        ["AzureWebJobsStorage"] =
            $"DefaultEndpointsProtocol=http;AccountName={AzuriteServer.AccountName};AccountKey={AzuriteServer.AccountKey};" +
            $"QueueEndpoint=http://127.0.0.1:{_closedPort}/{AzuriteServer.AccountName};" +
            $"TableEndpoint=http://127.0.0.1:{_closedPort}/{AzuriteServer.AccountName};" +
            $"BlobEndpoint=http://127.0.0.1:{_closedPort}/{AzuriteServer.AccountName}",
        ["Registry__KeyEncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        ["Registry__KeyEncryptionKeyId"] = "cli_failures",
        ["Queues__Transport"] = null,
    };

    private static async Task<(int Exit, string[] Lines, string Output)> PushAsync(Dictionary<string, string?> settings, params string[] arguments)
    {
        var (exit, output) = await PushCli.RunAsync(settings, Path.GetTempPath(), arguments);
        return (exit, output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), output);
    }

    private static void AssertOneLine((int Exit, string[] Lines, string Output) result, string expected)
    {
        Assert.NotEqual(0, result.Exit);
        var line = Assert.Single(result.Lines);
        Assert.StartsWith("push: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter '", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("device", "list", "--user", "alice")]
    [InlineData("publish", "im", "--user", "alice", "--from-address", "bob@example.com", "--conversation", "c", "--preview", "hi")]
    [InlineData("trace", "3b1f6a2e-7c41-4c8e-9a55-0d3e2f1a9b77")]
    [InlineData("dlq", "list")]
    [InlineData("tokens", "status")]
    public async Task Storage_not_running_is_one_line_naming_the_endpoint_and_what_to_do(params string[] arguments)
    {
        var result = await PushAsync(Settings(), arguments);

        AssertOneLine(result, $"cannot reach the Storage account at http://127.0.0.1:{_closedPort}");
        Assert.Contains("start scripts/dev, or set AzureWebJobsStorage", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verbose_adds_the_stack_trace()
    {
        var result = await PushAsync(Settings(), "device", "list", "--user", "alice", "--verbose");

        Assert.NotEqual(0, result.Exit);
        Assert.Contains($"cannot reach the Storage account at http://127.0.0.1:{_closedPort}", result.Lines[0], StringComparison.Ordinal);
        Assert.Contains("   at ", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_setting_is_one_line_naming_it()
    {
        var settings = Settings();
        settings["AzureWebJobsStorage"] = null;

        AssertOneLine(await PushAsync(settings, "device", "list", "--user", "alice"), "AzureWebJobsStorage");
    }

    [Fact]
    public async Task A_bad_argument_is_one_line_pointing_at_the_commands_help()
    {
        var result = await PushAsync(Settings(), "publish", "call", "--user", "alice");

        AssertOneLine(result, "--caller-number");
        Assert.Contains("push publish call --help", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_contract_error_is_one_line_naming_the_field_without_the_parameter_tail()
    {
        var result = await PushAsync(Settings(), "publish", "call", "--user", "alice", "--caller-number", "+1555", "--ring-timeout", "0");

        AssertOneLine(result, "data.ringTimeoutSeconds");
    }

    [Fact]
    public async Task A_device_id_that_cannot_be_a_key_is_one_line_naming_the_field()
    {
        var result = await PushAsync(Settings(), "device", "unregister", "--user", "alice", "--device", "a/b");

        AssertOneLine(result, "deviceId");
    }
}
