using Push.EndToEnd.Tests.Infrastructure;
using Push.Testing;

namespace Push.EndToEnd.Tests;

/// <summary>A bad setting stops the host at start with a message naming the setting, never printing a secret.</summary>
[Collection(RelayCollection.Name)]
public sealed class StartupValidationEndToEndTests(RelayEnvironment env)
{
    private async Task<(int Exit, string Output)> StartWithAsync(string setting, string? value)
    {
        var settings = env.Settings();
        settings[setting] = value;
        await using var process = RelayProcess.Launch(settings);
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (exit, process.Output);
    }

    [Fact]
    public async Task A_short_key_encryption_key_stops_the_host_naming_the_setting_but_not_the_value()
    {
        var shortKey = Convert.ToBase64String(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 });
        var (exit, output) = await StartWithAsync("Registry__KeyEncryptionKey", shortKey);
        Assert.NotEqual(0, exit);
        Assert.Contains("Registry:KeyEncryptionKey", output, StringComparison.Ordinal);
        Assert.DoesNotContain(shortKey, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_apns_key_file_stops_the_host_naming_the_setting()
    {
        var (exit, output) = await StartWithAsync("Apns__PrivateKeyPath", "/nonexistent/AuthKey.p8");
        Assert.NotEqual(0, exit);
        Assert.Contains("Apns:PrivateKeyPath", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_storage_connection_stops_the_host_naming_the_setting()
    {
        var (exit, output) = await StartWithAsync("AzureWebJobsStorage", null);
        Assert.NotEqual(0, exit);
        Assert.Contains("AzureWebJobsStorage", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_non_numeric_host_json_override_stops_the_host_naming_the_key()
    {
        var (exit, output) = await StartWithAsync("AzureFunctionsJobHost__extensions__queues__batchSize", "lots");
        Assert.NotEqual(0, exit);
        Assert.Contains("extensions:queues:batchSize", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_apns_endpoint_that_is_not_http2_over_tls_stops_the_host_naming_the_setting()
    {
        // Azurite's blob port: a plain HTTP/1.1 server, so neither TLS nor HTTP/2 can be negotiated.
        var (exit, output) = await StartWithAsync("Apns__Endpoint", $"https://127.0.0.1:{env.Azurite.BlobPort}");
        Assert.NotEqual(0, exit);
        Assert.Contains("Apns:Endpoint", output, StringComparison.Ordinal);
    }
}
