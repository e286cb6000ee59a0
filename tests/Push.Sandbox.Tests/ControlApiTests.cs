using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;

namespace Push.Sandbox.Tests;

public sealed class ControlApiTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private Uri Control(string path) => new(fixture.Sandbox.ControlEndpoint, path);

    [Fact]
    public async Task Health_and_info_answer_without_key_material()
    {
        using var health = await fixture.Client.GetAsync(Control("health"));
        using var info = await fixture.Client.GetAsync(Control("info"));

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var text = await info.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(text);
        Assert.Equal(fixture.Sandbox.ApnsEndpoint, new Uri(json.RootElement.GetProperty("apnsEndpoint").GetString()!));
        Assert.DoesNotContain("PRIVATE KEY", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pushes_can_be_listed_by_token_and_cleared()
    {
        var device = TestJwts.RandomDeviceToken();
        using (var sent = await fixture.SendApnsAsync(device)) Assert.Equal(HttpStatusCode.OK, sent.StatusCode);

        using var listed = await fixture.Client.GetAsync(Control($"pushes?provider=apns&token={device}"));
        using var json = JsonDocument.Parse(await listed.Content.ReadAsStringAsync());
        var push = Assert.Single(json.RootElement.GetProperty("apns").EnumerateArray());
        Assert.Equal(device, push.GetProperty("deviceToken").GetString());
        Assert.Equal("alert", push.GetProperty("pushType").GetString());
        Assert.Empty(json.RootElement.GetProperty("fcm").EnumerateArray());

        using var cleared = await fixture.Client.DeleteAsync(Control("pushes"));
        Assert.Equal(HttpStatusCode.NoContent, cleared.StatusCode);
        Assert.DoesNotContain(fixture.Sandbox.ApnsPushes, p => p.DeviceToken == device);
    }

    [Fact]
    public async Task Faults_posted_as_json_with_string_enums_apply_and_can_be_deleted()
    {
        var device = TestJwts.RandomDeviceToken();
        using var added = await fixture.Client.PostAsync(Control("faults"), new StringContent(
            $"{{\"provider\":\"Apns\",\"deviceToken\":\"{device}\",\"kind\":\"Reject\",\"reason\":\"Unregistered\"}}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NoContent, added.StatusCode);
        using (var rejected = await fixture.SendApnsAsync(device)) Assert.Equal(HttpStatusCode.Gone, rejected.StatusCode);

        using var deleted = await fixture.Client.DeleteAsync(Control("faults"));
        using var accepted = await fixture.SendApnsAsync(device);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task Faults_in_force_are_listed_with_what_is_left_of_them()
    {
        var device = TestJwts.RandomDeviceToken();
        fixture.Sandbox.Faults.Add(new SandboxFault { Provider = SandboxProvider.Apns, DeviceToken = device, Kind = SandboxFaultKind.Reject, Reason = "ServiceUnavailable", Times = 2 });
        using (var rejected = await fixture.SendApnsAsync(device)) Assert.Equal(HttpStatusCode.ServiceUnavailable, rejected.StatusCode);

        using var listed = await fixture.Client.GetAsync(Control("faults"));

        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        using var json = JsonDocument.Parse(await listed.Content.ReadAsStringAsync());
        var active = Assert.Single(json.RootElement.GetProperty("faults").EnumerateArray(),
            f => f.GetProperty("fault").GetProperty("deviceToken").GetString() == device);
        Assert.Equal("ServiceUnavailable", active.GetProperty("fault").GetProperty("reason").GetString());
        Assert.Equal(1, active.GetProperty("remaining").GetInt32());
        fixture.Sandbox.Faults.Clear();
    }

    [Fact]
    public async Task A_delay_fault_posted_as_json_answers_as_usual()
    {
        var device = TestJwts.RandomDeviceToken();
        using var added = await fixture.Client.PostAsync(Control("faults"), new StringContent(
            $"{{\"provider\":\"apns\",\"deviceToken\":\"{device}\",\"kind\":\"delay\",\"delayMs\":50,\"times\":1}}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NoContent, added.StatusCode);

        using var accepted = await fixture.SendApnsAsync(device);

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(SandboxFaultKind.Delay, Assert.Single(fixture.Sandbox.AllRequests, r => r.DeviceToken == device).Fault);
    }

    [Fact]
    public async Task Bad_fault_is_400()
    {
        using var response = await fixture.Client.PostAsync(Control("faults"), new StringContent(
            "{\"provider\":\"Apns\",\"kind\":\"Reject\",\"reason\":\"NoSuchReason\"}", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Keys_registered_over_http_are_trusted()
    {
        using var apnsKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var rsa = RSA.Create(2048);
        using var apnsRegistered = await fixture.Client.PostAsJsonAsync(Control("apns-keys"), new
        {
            teamId = "TEAMCTRL01",
            keyId = "KEYCTRL001",
            publicKeyPem = apnsKey.ExportSubjectPublicKeyInfoPem(),
            bundleIds = new[] { "com.example.ctrl" },
        });
        using var accountRegistered = await fixture.Client.PostAsJsonAsync(Control("service-accounts"), new
        {
            clientEmail = "ctrl@ctrl-project.iam.gserviceaccount.com",
            publicKeyPem = rsa.ExportSubjectPublicKeyInfoPem(),
            projectId = "ctrl-project",
        });
        Assert.Equal(HttpStatusCode.NoContent, apnsRegistered.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, accountRegistered.StatusCode);

        var headers = new Dictionary<string, string> { ["apns-topic"] = "com.example.ctrl", ["apns-push-type"] = "alert" };
        using var push = await fixture.SendApnsAsync(TestJwts.RandomDeviceToken(), headers,
            providerToken: TestJwts.ApnsProviderToken(apnsKey, "KEYCTRL001", "TEAMCTRL01", DateTimeOffset.UtcNow));
        using var token = await fixture.RequestAccessTokenAsync(TestJwts.GoogleAssertion(rsa, "ctrl@ctrl-project.iam.gserviceaccount.com",
            "https://oauth2.googleapis.com/token", DateTimeOffset.UtcNow));

        Assert.Equal(HttpStatusCode.OK, push.StatusCode);
        Assert.Equal(HttpStatusCode.OK, token.StatusCode);
    }
}
