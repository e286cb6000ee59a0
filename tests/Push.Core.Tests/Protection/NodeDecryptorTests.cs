using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Push.Core.Routing;
using Push.Core.Tests.Routing;
using Push.Testing;

namespace Push.Core.Tests.Protection;

/// <summary>
/// A decryptor written in another language from docs/ENVELOPE.md alone opens what the relay composes:
/// proof that the page is enough for the app teams.
/// </summary>
public sealed class NodeDecryptorTests : IDisposable
{
    private readonly ComposerFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task Node_opens_apns_and_fcm_pushes_of_every_type()
    {
        var ios = TestDevices.Ios(_fixture.Protector, region: "CN");
        var android = TestDevices.Android(_fixture.Protector);

        foreach (var evt in new[] { ComposerFixture.Call(), ComposerFixture.Ended(), ComposerFixture.Message("héllo 👋 \"quoted\"") })
        {
            var apns = (ComposedPush.Apns)_fixture.Composer.Compose(evt, ios.Device, Guid.NewGuid());
            var fcm = (ComposedPush.Fcm)_fixture.Composer.Compose(evt, android.Device, Guid.NewGuid());

            var fromApns = await RunNode(ios.Key, ios.Device.DeviceId, apns: apns.Notification.Payload.ToArray());
            var fromFcm = await RunNode(android.Key, android.Device.DeviceId, fcm: fcm.Message.Data);

            Assert.Equal(0, fromApns.ExitCode);
            Assert.Equal(0, fromFcm.ExitCode);
            var apnsPlain = JsonDocument.Parse(fromApns.Output).RootElement;
            var fcmPlain = JsonDocument.Parse(fromFcm.Output).RootElement;
            if (evt.Type == "push.im.message")
            {
                Assert.Equal("héllo 👋 \"quoted\"", apnsPlain.GetProperty("preview").GetString());
                Assert.Equal("héllo 👋 \"quoted\"", fcmPlain.GetProperty("preview").GetString());
            }
            else
            {
                Assert.Equal("call-42", apnsPlain.GetProperty("callId").GetString());
                Assert.Equal("Bob Builder", fcmPlain.GetProperty("caller").GetProperty("name").GetString());
            }
        }
    }

    [Fact]
    public async Task Node_refuses_a_wrong_key_a_wrong_device_and_a_tampered_byte()
    {
        var android = TestDevices.Android(_fixture.Protector);
        var data = ((ComposedPush.Fcm)_fixture.Composer.Compose(ComposerFixture.Message(), android.Device, Guid.NewGuid())).Message.Data;
        var sealedBytes = System.Buffers.Text.Base64Url.DecodeFromChars(data["ciphertext"]);
        sealedBytes[3] ^= 0x40;
        var tampered = new Dictionary<string, string>(data) { ["ciphertext"] = System.Buffers.Text.Base64Url.EncodeToString(sealedBytes) };

        Assert.Equal(0, (await RunNode(android.Key, android.Device.DeviceId, fcm: data)).ExitCode);
        Assert.Equal(1, (await RunNode(RandomNumberGenerator.GetBytes(32), android.Device.DeviceId, fcm: data)).ExitCode);
        Assert.Equal(1, (await RunNode(android.Key, "pixel-2", fcm: data)).ExitCode);
        Assert.Equal(1, (await RunNode(android.Key, android.Device.DeviceId, fcm: tampered)).ExitCode);
    }

    [Fact]
    public async Task Node_opens_the_documented_test_vector()
    {
        var result = await RunNode(Convert.FromHexString(EnvelopeTestVector.KeyHex), EnvelopeTestVector.DeviceId,
            apns: Encoding.UTF8.GetBytes(EnvelopeTestVector.ApnsBody));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(EnvelopeTestVector.Plaintext, result.Output);
    }

    private static async Task<(int ExitCode, string Output)> RunNode(byte[] key, string deviceId,
        byte[]? apns = null, IReadOnlyDictionary<string, string>? fcm = null)
    {
        var request = new JsonObject { ["key"] = Convert.ToBase64String(key), ["deviceId"] = deviceId };
        if (apns is not null) request["apnsPayload"] = Encoding.UTF8.GetString(apns);
        if (fcm is not null) request["fcmData"] = new JsonObject(fcm.Select(pair => KeyValuePair.Create(pair.Key, (JsonNode?)pair.Value)));

        var script = RepositoryPaths.Combine("tests", "Push.Core.Tests", "node", "decrypt-envelope.mjs");
        var info = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add(script);
        using var process = Process.Start(info)!;
        await process.StandardInput.WriteAsync(request.ToJsonString());
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        var text = await output;
        Assert.True(process.ExitCode is 0 or 1, "decrypt-envelope.mjs failed on its input: " + await error);
        return (process.ExitCode, text);
    }
}
