using System.Security.Cryptography;
using System.Text.Json;
using Push.Testing;

namespace Push.Sandbox.Tests;

/// <summary>
/// A client no one here wrote (@parse/node-apn, with full certificate validation against ca.pem) must be
/// accepted with the generated credentials, and refused when it signs with a key the sandbox never saw.
/// </summary>
public sealed class NodeApnPeerTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "push-sandbox-tests", Guid.NewGuid().ToString("N"));
    private SandboxServer _sandbox = null!;

    public async Task InitializeAsync() =>
        _sandbox = await SandboxServer.StartAsync(new SandboxOptions { StateDirectory = _directory, GenerateCredentials = true });

    public async Task DisposeAsync()
    {
        await _sandbox.DisposeAsync();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { /* best effort */ }
    }

    private async Task<JsonElement> RunPeerAsync(string keyPath, string deviceToken, string trackingId)
    {
        var credentials = _sandbox.GeneratedCredentials!;
        var options = JsonSerializer.Serialize(new
        {
            keyPath,
            keyId = credentials.KeyId,
            teamId = credentials.TeamId,
            port = _sandbox.ApnsEndpoint.Port,
            caPath = _sandbox.CaCertificatePath,
            deviceToken,
            topic = credentials.BundleIds[0],
            trackingId,
        });
        var script = RepositoryPaths.Combine("tests", "Push.Sandbox.Tests", "node", "node-apn-peer.js");
        await using var node = ChildProcess.Start("node", [script, options], RepositoryPaths.Root,
            new Dictionary<string, string?> { ["REPO_ROOT"] = RepositoryPaths.Root });
        await node.WaitForExitAsync(TimeSpan.FromSeconds(60));
        var line = node.Output.Split('\n').Last(l => l.TrimStart().StartsWith('{'));
        using var json = JsonDocument.Parse(line);
        return json.RootElement.Clone();
    }

    [Fact]
    public async Task Node_apn_with_the_generated_p8_is_accepted_and_recorded()
    {
        var device = TestJwts.RandomDeviceToken();

        var result = await RunPeerAsync(_sandbox.GeneratedCredentials!.ApnsKeyPath, device, "track-1");

        Assert.True(result.GetProperty("sent").GetInt32() == 1, result.ToString());
        var push = Assert.Single(_sandbox.ApnsPushes, p => p.DeviceToken == device);
        Assert.Equal("alert", push.PushType);
        Assert.Equal(_sandbox.GeneratedCredentials.TeamId, push.TeamId);
        Assert.Contains("track-1", push.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Node_apn_signing_with_an_unregistered_key_gets_InvalidProviderToken()
    {
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var strangerPath = Path.Combine(_directory, "stranger.p8");
        await File.WriteAllTextAsync(strangerPath, stranger.ExportPkcs8PrivateKeyPem());
        var device = TestJwts.RandomDeviceToken();

        var result = await RunPeerAsync(strangerPath, device, "track-2");

        Assert.Equal(0, result.GetProperty("sent").GetInt32());
        var failure = Assert.Single(result.GetProperty("failed").EnumerateArray());
        Assert.Equal(403, failure.GetProperty("status").GetInt32());
        Assert.Equal("InvalidProviderToken", failure.GetProperty("reason").GetString());
        Assert.Empty(_sandbox.ApnsPushes);
    }
}
