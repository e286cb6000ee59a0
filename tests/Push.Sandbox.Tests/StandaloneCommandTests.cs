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

    [Fact]
    public async Task Dotnet_run_resolves_a_relative_state_dir_against_the_callers_folder_and_the_readme_curl_works_there()
    {
        var caller = Path.Combine(Path.GetTempPath(), "push-sandbox-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(caller);
        int apnsPort = FreePorts.Next(), fcmPort = FreePorts.Next();
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            ? "Release" : "Debug";
        await using var process = ChildProcess.Start("dotnet",
            ["run", "--project", RepositoryPaths.Combine("functions", "Push.Sandbox"), "-c", configuration, "--no-build", "--",
             "--state-dir", ".local/sandbox", "--apns-port", apnsPort.ToString(), "--fcm-port", fcmPort.ToString()], caller);

        await process.WaitForOutputAsync("Sandbox ready", TimeSpan.FromSeconds(90));

        Assert.True(File.Exists(Path.Combine(caller, ".local", "sandbox", "ca.pem")), process.Output);
        // The README's form, relative --cacert included, from the same folder.
        await using var curl = ChildProcess.Start("curl",
            ["--silent", "--show-error", "--cacert", ".local/sandbox/ca.pem", $"https://127.0.0.1:{fcmPort}/_sandbox/health"], caller);
        Assert.Equal(0, await curl.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("\"status\":\"ok\"", curl.Output, StringComparison.Ordinal);

        await process.StopAsync(TimeSpan.FromSeconds(10));
        Directory.Delete(caller, recursive: true);
    }
}
