using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using Push.Sandbox.Security;
using Push.Testing;

namespace Push.Sandbox.Tests;

/// <summary>
/// What scripts/dev and the sandbox keep in .local/ — the key-encryption key, the conversation-hash key,
/// local.settings.json (both keys in clear), Azurite's data (wrapped device keys, encrypted provider tokens), the
/// sandbox's .p8 and service-account key — is readable by its owner only, also when an older run left it
/// readable by everyone (issue 17, item 9).
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class LocalSecretFileModeTests : IDisposable
{
    private const UnixFileMode OwnerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode WorldReadableFile = OwnerFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode WorldReadableDirectory = OwnerDirectory | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "push-local-modes", Guid.NewGuid().ToString("N"));
    private string Local => Path.Combine(_root, ".local");

    public LocalSecretFileModeTests()
    {
        Directory.CreateDirectory(_root);
    }

    /// <summary>Runs write_local_settings from scripts/lib/common.sh as scripts/dev does, under the common umask 022.</summary>
    private async Task WriteLocalSettingsAsync()
    {
        var sandbox = Path.Combine(Local, "sandbox");
        Directory.CreateDirectory(sandbox);
        var info = new JsonObject
        {
            ["apnsEndpoint"] = "https://127.0.0.1:4443", ["teamId"] = "TEAM123456", ["keyId"] = "KEY1234567",
            ["apnsKeyPath"] = Path.Combine(sandbox, CredentialFiles.ApnsKeyFile), ["fcmEndpoint"] = "https://127.0.0.1:4444",
            ["serviceAccountPath"] = Path.Combine(sandbox, CredentialFiles.ServiceAccountFile),
            ["trustBundlePath"] = Path.Combine(sandbox, "trust-bundle.pem"),
        };
        await File.WriteAllTextAsync(Path.Combine(sandbox, "sandbox.json"), info.ToJsonString());

        await using var bash = ChildProcess.Start("bash",
            ["-c", "set -euo pipefail; umask 022; source scripts/lib/common.sh; write_local_settings \"$1\"", "bash", Local]);
        var exit = await bash.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, $"write_local_settings exited {exit}: {bash.Output}");
    }

    private static void AssertMode(UnixFileMode expected, string path) =>
        Assert.True(File.GetUnixFileMode(path) == expected, $"{path} is {File.GetUnixFileMode(path)}, expected {expected}");

    [Fact]
    public async Task Write_local_settings_creates_local_and_every_secret_for_its_owner_only()
    {
        await WriteLocalSettingsAsync();

        AssertMode(OwnerDirectory, Local);
        foreach (var folder in new[] { "azurite", "sandbox", "logs" }) AssertMode(OwnerDirectory, Path.Combine(Local, folder));
        foreach (var secret in new[] { "kek", "conversation-hash-key", "local.settings.json" }) AssertMode(OwnerFile, Path.Combine(Local, secret));
        var values = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Local, "local.settings.json")))!["Values"]!;
        Assert.Equal((await File.ReadAllTextAsync(Path.Combine(Local, "kek"))).Trim(), (string?)values["Registry__KeyEncryptionKey"]);
        Assert.Equal("dotnet-isolated", (string?)values["FUNCTIONS_WORKER_RUNTIME"]);
    }

    [Fact]
    public async Task Write_local_settings_takes_back_what_an_older_run_left_readable_and_keeps_the_keys()
    {
        Directory.CreateDirectory(Path.Combine(Local, "azurite", "nested"));
        Directory.CreateDirectory(Path.Combine(Local, "sandbox"));
        var oldKek = Convert.ToBase64String(new byte[32]) + "\n";
        await File.WriteAllTextAsync(Path.Combine(Local, "kek"), oldKek);
        await File.WriteAllTextAsync(Path.Combine(Local, "conversation-hash-key"), oldKek);
        await File.WriteAllTextAsync(Path.Combine(Local, "local.settings.json"), "old");
        await File.WriteAllTextAsync(Path.Combine(Local, "dev.env"), "an older run's settings, keys in clear");
        await File.WriteAllTextAsync(Path.Combine(Local, "azurite", "__azurite_db_table__.json"), "{}");
        await File.WriteAllTextAsync(Path.Combine(Local, "azurite", "nested", "extent"), "x");
        await File.WriteAllTextAsync(Path.Combine(Local, "sandbox", CredentialFiles.ApnsKeyFile), "old key");
        foreach (var file in Directory.EnumerateFiles(Local, "*", SearchOption.AllDirectories)) File.SetUnixFileMode(file, WorldReadableFile);
        foreach (var dir in Directory.EnumerateDirectories(Local, "*", SearchOption.AllDirectories).Append(Local)) File.SetUnixFileMode(dir, WorldReadableDirectory);

        await WriteLocalSettingsAsync();

        AssertMode(OwnerDirectory, Local);
        AssertMode(OwnerDirectory, Path.Combine(Local, "azurite", "nested"));
        foreach (var secret in new[] { "kek", "conversation-hash-key", "local.settings.json", "azurite/__azurite_db_table__.json", "azurite/nested/extent", "sandbox/" + CredentialFiles.ApnsKeyFile })
        {
            AssertMode(OwnerFile, Path.Combine(Local, secret));
        }
        Assert.False(File.Exists(Path.Combine(Local, "dev.env"))); // replaced by local.settings.json, not left behind
        Assert.Equal(oldKek, await File.ReadAllTextAsync(Path.Combine(Local, "kek"))); // registered devices stay readable
    }

    [Fact]
    public async Task Files_created_after_the_local_folder_is_secured_are_the_owners_only()
    {
        // scripts/dev secures .local/ before it starts Azurite and the sandbox, whose files inherit its umask.
        await using var bash = ChildProcess.Start("bash",
            ["-c", "set -euo pipefail; umask 022; source scripts/lib/common.sh; secure_local_dir \"$1\"; echo data > \"$1/azurite/new\"; mkdir \"$1/azurite/dir\"", "bash", Local]);
        Assert.Equal(0, await bash.WaitForExitAsync(TimeSpan.FromSeconds(60)));

        AssertMode(OwnerFile, Path.Combine(Local, "azurite", "new"));
        AssertMode(OwnerDirectory, Path.Combine(Local, "azurite", "dir"));
    }

    private static async Task<SandboxCredentials> StartAndStopSandboxAsync(string state)
    {
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { StateDirectory = state, GenerateCredentials = true });
        return sandbox.GeneratedCredentials!;
    }

    [Fact]
    public async Task The_sandbox_creates_its_state_folder_and_private_keys_for_its_owner_only()
    {
        var state = Path.Combine(_root, "sandbox-state");

        var credentials = await StartAndStopSandboxAsync(state);

        AssertMode(OwnerDirectory, state);
        AssertMode(OwnerFile, credentials.ApnsKeyPath);
        AssertMode(OwnerFile, credentials.ServiceAccountPath);
    }

    [Fact]
    public async Task The_sandbox_takes_back_private_keys_an_older_run_left_readable()
    {
        var state = Path.Combine(_root, "sandbox-state");
        var first = await StartAndStopSandboxAsync(state);
        File.SetUnixFileMode(first.ApnsKeyPath, WorldReadableFile);
        File.SetUnixFileMode(first.ServiceAccountPath, WorldReadableFile);

        var again = await StartAndStopSandboxAsync(state);

        Assert.Equal(first.KeyId, again.KeyId); // reused, not regenerated
        AssertMode(OwnerFile, again.ApnsKeyPath);
        AssertMode(OwnerFile, again.ServiceAccountPath);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
