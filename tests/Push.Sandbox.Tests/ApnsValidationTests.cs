using System.Net;
using System.Security.Cryptography;

namespace Push.Sandbox.Tests;

public sealed class ApnsValidationTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    [Fact]
    public async Task Accepted_push_is_recorded_with_every_header_and_echoes_apns_id()
    {
        var device = TestJwts.RandomDeviceToken();
        var apnsId = Guid.NewGuid().ToString("D").ToUpperInvariant();
        var headers = new Dictionary<string, string>
        {
            ["apns-topic"] = SandboxFixture.BundleId + ".voip",
            ["apns-push-type"] = "voip",
            ["apns-priority"] = "10",
            ["apns-expiration"] = "1900000000",
            ["apns-collapse-id"] = "call-1",
            ["apns-id"] = apnsId,
        };

        using var response = await fixture.SendApnsAsync(device, headers, "{\"aps\":{},\"k\":\"v\"}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new Version(2, 0), response.Version);
        Assert.Equal(apnsId, response.Headers.GetValues("apns-id").Single());
        var push = await fixture.Sandbox.WaitForApnsPushAsync(p => p.DeviceToken == device, TimeSpan.FromSeconds(5));
        Assert.Equal("voip", push.PushType);
        Assert.Equal(SandboxFixture.BundleId + ".voip", push.Topic);
        Assert.Equal(10, push.Priority);
        Assert.Equal(1900000000L, push.Expiration);
        Assert.Equal("call-1", push.CollapseId);
        Assert.Equal(apnsId, push.ApnsId);
        Assert.Equal(SandboxFixture.TeamId, push.TeamId);
        Assert.Equal(SandboxFixture.KeyId, push.KeyId);
        Assert.Equal("{\"aps\":{},\"k\":\"v\"}", push.BodyText);
        Assert.Equal("call-1", push.Headers["apns-collapse-id"]);
        Assert.False(push.Headers.ContainsKey("authorization"));
    }

    [Fact]
    public async Task Without_apns_id_the_answer_carries_a_new_uppercase_uuid()
    {
        using var response = await fixture.SendApnsAsync(TestJwts.RandomDeviceToken());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var id = response.Headers.GetValues("apns-id").Single();
        Assert.True(Guid.TryParseExact(id, "D", out _));
        Assert.Equal(id.ToUpperInvariant(), id);
    }

    public static TheoryData<string, string, string?, int, string> HeaderRejections => new()
    {
        // header, value (null = remove), body override, status, reason
        { "apns-topic", "", null, 400, "MissingTopic" },
        { "apns-topic", "com.other.app", null, 400, "TopicDisallowed" },
        { "apns-topic", SandboxFixture.BundleId + ".voip", null, 400, "InvalidPushType" },
        { "apns-push-type", "notification", null, 400, "InvalidPushType" },
        { "apns-push-type", "voip", null, 400, "InvalidPushType" },
        { "apns-priority", "7", null, 400, "BadPriority" },
        { "apns-priority", "high", null, 400, "BadPriority" },
        { "apns-expiration", "tomorrow", null, 400, "BadExpirationDate" },
        { "apns-collapse-id", new string('c', 65), null, 400, "BadCollapseId" },
        { "apns-id", "not-a-uuid", null, 400, "BadMessageId" },
        { "apns-priority", "10", "", 400, "PayloadEmpty" },
        { "apns-priority", "10", "{\"aps\":{\"alert\":\"" + new string('x', 4096) + "\"}}", 413, "PayloadTooLarge" },
        { "apns-priority", "10", "not json", 400, "BadRequest" },
    };

    [Theory]
    [MemberData(nameof(HeaderRejections))]
    public async Task Header_and_payload_rejections_use_apples_status_and_reason(string header, string value, string? body, int status, string reason)
    {
        var headers = SandboxFixture.AlertHeaders();
        if (value.Length == 0) headers.Remove(header);
        else headers[header] = value;

        using var response = body is null
            ? await fixture.SendApnsAsync(TestJwts.RandomDeviceToken(), headers)
            : await fixture.SendApnsAsync(TestJwts.RandomDeviceToken(), headers, body);

        await ResponseAssert.ApnsReasonAsync(response, (HttpStatusCode)status, reason);
    }

    [Fact]
    public async Task Background_push_with_priority_10_is_refused()
    {
        var headers = SandboxFixture.AlertHeaders();
        headers["apns-push-type"] = "background";

        using var response = await fixture.SendApnsAsync(TestJwts.RandomDeviceToken(), headers, "{\"aps\":{\"content-available\":1}}");

        await ResponseAssert.ApnsReasonAsync(response, HttpStatusCode.BadRequest, "BadPriority");
    }

    [Fact]
    public async Task Voip_payload_may_reach_5120_bytes_but_not_more()
    {
        var headers = new Dictionary<string, string> { ["apns-topic"] = SandboxFixture.BundleId + ".voip", ["apns-push-type"] = "voip" };
        string Payload(int size) => "{\"p\":\"" + new string('x', size - 8) + "\"}";

        using var fits = await fixture.SendApnsAsync(TestJwts.RandomDeviceToken(), headers, Payload(5120));
        using var tooBig = await fixture.SendApnsAsync(TestJwts.RandomDeviceToken(), headers, Payload(5121));

        Assert.Equal(HttpStatusCode.OK, fits.StatusCode);
        await ResponseAssert.ApnsReasonAsync(tooBig, HttpStatusCode.RequestEntityTooLarge, "PayloadTooLarge");
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("zz00000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("00000000000000000000000000000000000000000000000000000000000000001")]
    public async Task Malformed_device_token_is_BadDeviceToken(string token)
    {
        using var response = await fixture.SendApnsAsync(token);

        await ResponseAssert.ApnsReasonAsync(response, HttpStatusCode.BadRequest, "BadDeviceToken");
    }

    [Fact]
    public async Task Empty_device_token_is_MissingDeviceToken()
    {
        using var response = await fixture.SendApnsAsync("");

        await ResponseAssert.ApnsReasonAsync(response, HttpStatusCode.BadRequest, "MissingDeviceToken");
    }

    [Fact]
    public async Task Get_is_MethodNotAllowed()
    {
        using var response = await fixture.SendApnsAsync(TestJwts.RandomDeviceToken(), body: null, method: HttpMethod.Get);

        await ResponseAssert.ApnsReasonAsync(response, HttpStatusCode.MethodNotAllowed, "MethodNotAllowed");
    }

    [Fact]
    public async Task Missing_authorization_is_MissingProviderToken()
    {
        using var response = await fixture.SendApnsAsync(TestJwts.RandomDeviceToken(), providerToken: null);

        await ResponseAssert.ApnsReasonAsync(response, HttpStatusCode.Forbidden, "MissingProviderToken");
    }

    [Fact]
    public async Task Token_older_than_an_hour_is_ExpiredProviderToken()
    {
        var old = TestJwts.ApnsProviderToken(fixture.ApnsKey, SandboxFixture.KeyId, SandboxFixture.TeamId, DateTimeOffset.UtcNow.AddMinutes(-61));

        using var response = await fixture.SendApnsAsync(TestJwts.RandomDeviceToken(), providerToken: old);

        await ResponseAssert.ApnsReasonAsync(response, HttpStatusCode.Forbidden, "ExpiredProviderToken");
    }

    public static TheoryData<string> InvalidTokenCases => ["unknown-key", "wrong-team", "wrong-signature", "future-iat", "hs256", "garbage"];

    [Theory]
    [MemberData(nameof(InvalidTokenCases))]
    public async Task Bad_provider_tokens_are_InvalidProviderToken(string kind)
    {
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var now = DateTimeOffset.UtcNow;
        var token = kind switch
        {
            "unknown-key" => TestJwts.ApnsProviderToken(fixture.ApnsKey, "UNKNOWNKEY", SandboxFixture.TeamId, now),
            "wrong-team" => TestJwts.ApnsProviderToken(fixture.ApnsKey, SandboxFixture.KeyId, "OTHERTEAM1", now),
            "wrong-signature" => TestJwts.ApnsProviderToken(otherKey, SandboxFixture.KeyId, SandboxFixture.TeamId, now),
            "future-iat" => TestJwts.ApnsProviderToken(fixture.ApnsKey, SandboxFixture.KeyId, SandboxFixture.TeamId, now.AddMinutes(10)),
            "hs256" => TestJwts.ApnsProviderToken(fixture.ApnsKey, SandboxFixture.KeyId, SandboxFixture.TeamId, now, alg: "HS256"),
            _ => "not.a.jwt",
        };

        using var response = await fixture.SendApnsAsync(TestJwts.RandomDeviceToken(), providerToken: token);

        await ResponseAssert.ApnsReasonAsync(response, HttpStatusCode.Forbidden, "InvalidProviderToken");
    }

    [Fact]
    public async Task Rejected_requests_are_logged_but_never_recorded_as_accepted()
    {
        var device = TestJwts.RandomDeviceToken();
        var headers = SandboxFixture.AlertHeaders();
        headers["apns-priority"] = "3";

        using var response = await fixture.SendApnsAsync(device, headers);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(fixture.Sandbox.ApnsPushes, p => p.DeviceToken == device);
        var logged = Assert.Single(fixture.Sandbox.AllRequests, r => r.DeviceToken == device);
        Assert.Equal(400, logged.Status);
        Assert.Equal("BadPriority", logged.Reason);
    }

    [Fact]
    public async Task Http11_is_refused_on_the_apns_port()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(fixture.Sandbox.ApnsEndpoint, "/3/device/" + TestJwts.RandomDeviceToken()))
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new StringContent("{}"),
        };

        await Assert.ThrowsAsync<HttpRequestException>(() => fixture.Client.SendAsync(request));
    }
}
