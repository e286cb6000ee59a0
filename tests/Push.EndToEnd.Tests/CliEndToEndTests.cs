using System.Security.Cryptography;
using Push.Core.Ledger;
using Push.EndToEnd.Tests.Infrastructure;
using Push.Testing;

namespace Push.EndToEnd.Tests;

/// <summary>The README walkthrough through the `push` CLI, as a separate process with the relay's settings.</summary>
[Collection(RelayCollection.Name)]
public sealed class CliEndToEndTests(RelayEnvironment env)
{
    private Task<(int Exit, string Output)> PushAsync(params string[] arguments) => PushCli.RunAsync(env, arguments);

    private Task<(int Exit, string Output)> PushInAsync(string workingDirectory, params string[] arguments) =>
        PushCli.RunAsync(env.Settings(), workingDirectory, arguments);

    [Fact]
    public async Task Register_list_publish_and_trace_through_the_cli()
    {
        var user = TestDevice.NewUser();
        var keyFile = Path.GetTempFileName();
        var key = RandomNumberGenerator.GetBytes(32);
        await File.WriteAllTextAsync(keyFile, Convert.ToBase64String(key));
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
        var voip = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();

        var register = await PushAsync("device", "register", "--user", user, "--device", "cli-iphone", "--platform", "ios",
            "--app", RelayEnvironment.BundleId, "--token", token, "--voip-token", voip, "--key-id", "k-cli", "--key-file", keyFile);
        Assert.True(register.Exit == 0, register.Output);
        Assert.Contains("Created", register.Output, StringComparison.Ordinal);

        var list = await PushAsync("device", "list", "--user", user);
        Assert.Equal(0, list.Exit);
        Assert.Contains("cli-iphone", list.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(token, list.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(key), list.Output, StringComparison.Ordinal);

        var trackingId = PushCli.TrackingId(await PushAsync("publish", "call", "--user", user, "--caller-name", "Erin", "--caller-number", "+15550005555"));

        await env.Sandbox.WaitForApnsPushAsync(p => p.DeviceToken == voip, TimeSpan.FromSeconds(30));
        await env.WaitForOutcomesAsync(trackingId, 1);
        var trace = await PushAsync("trace", trackingId);
        Assert.Equal(0, trace.Exit);
        Assert.Contains("cli-iphone", trace.Output, StringComparison.Ordinal);
        Assert.Contains(nameof(DeliveryStatus.Delivered), trace.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_call_for_a_device_the_user_does_not_have_is_traced_as_no_matching_devices()
    {
        var user = TestDevice.NewUser();
        await env.RegisterAsync(TestDevice.IPhone(user));

        var trackingId = PushCli.TrackingId(await PushAsync("publish", "call", "--user", user, "--caller-number", "+15550005555", "--device", "no-such-phone"));
        await env.WaitForOutcomesAsync(trackingId, 1);

        var trace = await PushAsync("trace", trackingId);
        Assert.Equal(0, trace.Exit);
        Assert.Contains("(no device matched)", trace.Output, StringComparison.Ordinal);
        Assert.Contains("NoMatchingDevices", trace.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("(no devices)", trace.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_token_is_refused_with_a_message_naming_the_field()
    {
        var result = await PushAsync("device", "register", "--user", TestDevice.NewUser(), "--device", "d1", "--platform", "ios",
            "--app", RelayEnvironment.BundleId, "--token", "not-hex", "--key-file", "/nonexistent");
        Assert.NotEqual(0, result.Exit);
        Assert.Contains("--key-file", result.Output, StringComparison.Ordinal);

        var keyFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(keyFile, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        result = await PushAsync("device", "register", "--user", TestDevice.NewUser(), "--device", "d1", "--platform", "ios",
            "--app", RelayEnvironment.BundleId, "--token", "not-hex", "--key-file", keyFile);
        Assert.Equal(2, result.Exit);
        Assert.Contains("pushToken", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("not-hex", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bad id", true, "data.deviceId")]   // a space: not a device id
    [InlineData("../escape", true, "DeviceId")]     // a path: not a Table key, and never a file name
    [InlineData("good-id", false, "pushToken")]     // a valid id with a token APNs would refuse
    public async Task A_refused_registration_leaves_no_key_file(string deviceId, bool validToken, string field)
    {
        using var folder = new TempDirectory();
        var token = validToken ? Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant() : "not-hex";
        var user = TestDevice.NewUser();

        var result = await PushInAsync(folder.Path, "device", "register", "--user", user, "--device", deviceId, "--platform", "ios",
            "--app", RelayEnvironment.BundleId, "--token", token);

        Assert.Equal(2, result.Exit);
        Assert.Contains(field, result.Output, StringComparison.OrdinalIgnoreCase);
        Assert.False(Directory.Exists(Path.Combine(folder.Path, ".local")), result.Output);
        Assert.False(File.Exists(Path.Combine(folder.Path, "escape.key")));
        Assert.Empty(await env.Registry.ListAsync(user, default));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task An_accepted_registration_writes_its_generated_key_readable_by_the_user_only()
    {
        using var folder = new TempDirectory();
        var user = TestDevice.NewUser();
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();

        var result = await PushInAsync(folder.Path, "device", "register", "--user", user, "--device", "keyed-iphone", "--platform", "ios",
            "--app", RelayEnvironment.BundleId, "--token", token);

        Assert.True(result.Exit == 0, result.Output);
        var keys = Path.Combine(folder.Path, ".local", "device-keys");
        var keyFile = Path.Combine(keys, "keyed-iphone.key");
        Assert.Equal(32, Convert.FromBase64String(await File.ReadAllTextAsync(keyFile)).Length);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(keys));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        Assert.Equal("keyed-iphone", Assert.Single(await env.Registry.ListAsync(user, default)).DeviceId);
    }

    [Fact]
    public async Task Tokens_status_shows_the_shared_credentials_without_the_tokens()
    {
        // The relay's RefreshProviderTokens timer runs at start, and every push uses the shared tokens.
        var user = TestDevice.NewUser();
        var iphone = await env.RegisterAsync(TestDevice.IPhone(user));
        var android = await env.RegisterAsync(TestDevice.Android(user));
        var im = await env.PublishAsync(new Push.Core.Events.PushEventWriter("/e2e").Create(user,
            new Push.Core.Events.ImMessageData("c", "m", new Push.Core.Events.ImSender(null, "a@b.c"), "hi", 1)));
        await env.WaitForOutcomesAsync(im.TrackingId, 2);

        var status = await PushAsync("tokens", "status");
        Assert.True(status.Exit == 0, status.Output);
        var lines = status.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith("Apns", StringComparison.OrdinalIgnoreCase) && l.Contains("valid", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Fcm", StringComparison.OrdinalIgnoreCase) && l.Contains("valid", StringComparison.Ordinal));
        Assert.DoesNotContain("eyJ", status.Output, StringComparison.Ordinal); // no JWT
        Assert.DoesNotContain(iphone.PushToken, status.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(android.PushToken, status.Output, StringComparison.Ordinal);
    }
}
