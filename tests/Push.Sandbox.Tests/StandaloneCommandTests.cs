using System.Text.Json;
using Push.Testing;

namespace Push.Sandbox.Tests;

public sealed class StandaloneCommandTests
{
    [Fact]
    public async Task Command_prints_endpoints_then_Sandbox_ready_writes_credentials_and_stops_on_sigterm()
    {
        var directory = Path.Combine(Path.GetTempPath(), "push-sandbox-tests", Guid.NewGuid().ToString("N"));
        int apnsPort = FreePorts.Next(), fcmPort = FreePorts.Next();
        await using var process = SandboxProcess.Start(["--state-dir", directory, "--apns-port", apnsPort.ToString(), "--fcm-port", fcmPort.ToString()]);

        await process.WaitForOutputAsync("Sandbox ready", TimeSpan.FromSeconds(60));

        Assert.Contains($"https://127.0.0.1:{apnsPort}", process.Output, StringComparison.Ordinal);
        using var config = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(directory, "sandbox.json")));
        var keyPath = config.RootElement.GetProperty("apnsKeyPath").GetString()!;
        Assert.StartsWith("-----BEGIN " + "PRIVATE KEY-----", await File.ReadAllTextAsync(keyPath), StringComparison.Ordinal); // the generated .p8
        using var account = JsonDocument.Parse(await File.ReadAllTextAsync(config.RootElement.GetProperty("serviceAccountPath").GetString()!));
        Assert.Equal("service_account", account.RootElement.GetProperty("type").GetString());
        Assert.Equal($"https://127.0.0.1:{fcmPort}/token", account.RootElement.GetProperty("token_uri").GetString());
        Assert.Equal(config.RootElement.GetProperty("projectId").GetString(), account.RootElement.GetProperty("project_id").GetString());
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyPath));
        }

        await process.StopAsync(TimeSpan.FromSeconds(10));
        Assert.True(process.HasExited);
        Assert.Equal(0, process.ExitCode);
        Directory.Delete(directory, recursive: true);
    }
}
