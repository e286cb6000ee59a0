using System.Net;
using System.Security.Cryptography;
using System.Text.Json;

namespace Push.Sandbox.Tests;

public sealed class FcmAndOAuthTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private const string GoogleAudience = "https://oauth2.googleapis.com/token";

    [Fact]
    public async Task Google_audience_assertion_gets_a_bearer_token_shaped_like_googles()
    {
        var issuedBefore = fixture.Sandbox.AccessTokensIssued;
        var assertion = TestJwts.GoogleAssertion(fixture.ServiceAccountKey, SandboxFixture.ClientEmail, GoogleAudience, DateTimeOffset.UtcNow,
            keyId: SandboxFixture.PrivateKeyId);

        using var response = await fixture.RequestAccessTokenAsync(assertion);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("access_token").GetString()));
        Assert.Equal(3599, json.RootElement.GetProperty("expires_in").GetInt32());
        Assert.Equal("Bearer", json.RootElement.GetProperty("token_type").GetString());
        Assert.Equal(issuedBefore + 1, fixture.Sandbox.AccessTokensIssued);
    }

    [Theory]
    [InlineData("temporarily_unavailable", 503)]
    [InlineData("internal_failure", 500)]
    [InlineData("invalid_grant", 400)]
    public async Task OAuth_faults_answer_with_the_oauth_error_body_for_the_named_service_account(string error, int status)
    {
        fixture.Sandbox.Faults.Add(new SandboxFault
        {
            Provider = SandboxProvider.OAuth, DeviceToken = SandboxFixture.ClientEmail, Kind = SandboxFaultKind.Reject, Reason = error,
            RetryAfterSeconds = 7, Times = 1,
        });
        string Assertion() => TestJwts.GoogleAssertion(fixture.ServiceAccountKey, SandboxFixture.ClientEmail, GoogleAudience, DateTimeOffset.UtcNow,
            keyId: SandboxFixture.PrivateKeyId);

        using var faulted = await fixture.RequestAccessTokenAsync(Assertion());
        using var next = await fixture.RequestAccessTokenAsync(Assertion());

        Assert.Equal(status, (int)faulted.StatusCode);
        using var json = JsonDocument.Parse(await faulted.Content.ReadAsStringAsync());
        Assert.Equal(error, json.RootElement.GetProperty("error").GetString());
        Assert.Equal(TimeSpan.FromSeconds(7), faulted.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode); // Times = 1
    }

    [Fact]
    public async Task An_oauth_fault_for_another_service_account_does_not_apply()
    {
        fixture.Sandbox.Faults.Add(new SandboxFault
        {
            Provider = SandboxProvider.OAuth, DeviceToken = "someone-else@other.iam.gserviceaccount.com", Kind = SandboxFaultKind.Reject,
            Reason = "temporarily_unavailable", Times = 1,
        });

        using var response = await fixture.RequestAccessTokenAsync(TestJwts.GoogleAssertion(fixture.ServiceAccountKey, SandboxFixture.ClientEmail,
            GoogleAudience, DateTimeOffset.UtcNow, keyId: SandboxFixture.PrivateKeyId));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        fixture.Sandbox.Faults.Clear();
    }

    [Fact]
    public void An_oauth_fault_needs_a_known_oauth_error()
    {
        Assert.Throws<ArgumentException>(() => fixture.Sandbox.Faults.Add(new SandboxFault
        {
            Provider = SandboxProvider.OAuth, Kind = SandboxFaultKind.Reject, Reason = "UNAVAILABLE",
        }));
    }

    [Fact]
    public async Task The_sandbox_own_token_url_is_an_accepted_audience()
    {
        var assertion = TestJwts.GoogleAssertion(fixture.ServiceAccountKey, SandboxFixture.ClientEmail,
            fixture.Sandbox.OAuthTokenEndpoint.ToString(), DateTimeOffset.UtcNow);

        using var response = await fixture.RequestAccessTokenAsync(assertion);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static TheoryData<string, string, string> BadAssertions => new()
    {
        { "wrong-key", "invalid_grant", "Invalid JWT Signature." },
        { "wrong-kid", "invalid_grant", "Invalid JWT Signature." },
        { "wrong-audience", "invalid_grant", "Invalid JWT: Failed audience check." },
        { "unknown-account", "invalid_grant", "Invalid grant: account not found" },
        { "too-long", "invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim." },
        { "expired", "invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim." },
        { "no-scope", "invalid_scope", "Invalid OAuth scope or ID token audience provided." },
    };

    [Theory]
    [MemberData(nameof(BadAssertions))]
    public async Task Bad_assertions_get_googles_oauth_errors(string kind, string error, string description)
    {
        using var otherKey = RSA.Create(2048);
        var now = DateTimeOffset.UtcNow;
        var assertion = kind switch
        {
            "wrong-key" => TestJwts.GoogleAssertion(otherKey, SandboxFixture.ClientEmail, GoogleAudience, now),
            "wrong-kid" => TestJwts.GoogleAssertion(fixture.ServiceAccountKey, SandboxFixture.ClientEmail, GoogleAudience, now, keyId: "feedface"),
            "wrong-audience" => TestJwts.GoogleAssertion(fixture.ServiceAccountKey, SandboxFixture.ClientEmail, "https://example.com/token", now),
            "unknown-account" => TestJwts.GoogleAssertion(fixture.ServiceAccountKey, "nobody@x.iam.gserviceaccount.com", GoogleAudience, now),
            "too-long" => TestJwts.GoogleAssertion(fixture.ServiceAccountKey, SandboxFixture.ClientEmail, GoogleAudience, now, lifetimeSeconds: 7200),
            "expired" => TestJwts.GoogleAssertion(fixture.ServiceAccountKey, SandboxFixture.ClientEmail, GoogleAudience, now.AddHours(-2)),
            _ => TestJwts.GoogleAssertion(fixture.ServiceAccountKey, SandboxFixture.ClientEmail, GoogleAudience, now, scope: ""),
        };

        using var response = await fixture.RequestAccessTokenAsync(assertion);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(error, json.RootElement.GetProperty("error").GetString());
        Assert.Equal(description, json.RootElement.GetProperty("error_description").GetString());
    }

    [Fact]
    public async Task Wrong_grant_type_is_unsupported_grant_type()
    {
        var assertion = TestJwts.GoogleAssertion(fixture.ServiceAccountKey, SandboxFixture.ClientEmail, GoogleAudience, DateTimeOffset.UtcNow);

        using var response = await fixture.RequestAccessTokenAsync(assertion, grantType: "client_credentials");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("unsupported_grant_type", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fcm_accepts_a_valid_message_and_records_it()
    {
        var accessToken = await fixture.AccessTokenAsync();
        var token = TestJwts.RandomFcmToken();
        var body = SandboxFixture.FcmMessage(token, new Dictionary<string, string> { ["type"] = "call", ["id"] = "t-1" },
            new { priority = "high", ttl = "29.5s", collapse_key = "conv-1" });

        using var response = await fixture.SendFcmAsync(accessToken, body);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var json = JsonDocument.Parse(text);
        var name = json.RootElement.GetProperty("name").GetString()!;
        Assert.StartsWith($"projects/{SandboxFixture.ProjectId}/messages/", name, StringComparison.Ordinal);
        var recorded = await fixture.Sandbox.WaitForFcmMessageAsync(m => m.Token == token, TimeSpan.FromSeconds(5));
        Assert.Equal(SandboxFixture.ProjectId, recorded.ProjectId);
        Assert.Equal("call", recorded.Data["type"]);
        Assert.Equal("t-1", recorded.Data["id"]);
        Assert.Equal("high", recorded.AndroidPriority);
        Assert.Equal("29.5s", recorded.Ttl);
        Assert.Equal("conv-1", recorded.CollapseKey);
        Assert.Equal(name, recorded.MessageName);
        Assert.Equal(body, recorded.RawBody);
    }

    [Fact]
    public async Task Fcm_accepts_lower_camel_field_names_as_proto_json_does()
    {
        var accessToken = await fixture.AccessTokenAsync();
        var token = TestJwts.RandomFcmToken();
        var body = "{\"message\":{\"token\":\"" + token + "\",\"android\":{\"collapseKey\":\"c\",\"priority\":\"NORMAL\"}},\"validateOnly\":false}";

        using var response = await fixture.SendFcmAsync(accessToken, body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var recorded = Assert.Single(fixture.Sandbox.FcmMessages, m => m.Token == token);
        Assert.Equal("c", recorded.CollapseKey);
        Assert.Equal("normal", recorded.AndroidPriority);
    }

    [Theory]
    [InlineData("unknown-bearer")]
    [InlineData("missing-bearer")]
    public async Task Fcm_refuses_bad_bearer_with_401_unauthenticated(string kind)
    {
        var request = SandboxHttp.Http2(HttpMethod.Post, new Uri(fixture.Sandbox.FcmEndpoint, $"/v1/projects/{SandboxFixture.ProjectId}/messages:send"));
        if (kind == "unknown-bearer") request.Headers.TryAddWithoutValidation("Authorization", "Bearer ya29.made-up");
        request.Content = new StringContent(SandboxFixture.FcmMessage(TestJwts.RandomFcmToken()));

        using var response = await fixture.Client.SendAsync(request);

        await ResponseAssert.GoogleErrorAsync(response, HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
    }

    [Fact]
    public async Task Fcm_refuses_another_project_with_403_permission_denied()
    {
        var accessToken = await fixture.AccessTokenAsync();

        using var response = await fixture.SendFcmAsync(accessToken, SandboxFixture.FcmMessage(TestJwts.RandomFcmToken()), projectId: "someone-else");

        await ResponseAssert.GoogleErrorAsync(response, HttpStatusCode.Forbidden, "PERMISSION_DENIED");
    }

    [Fact]
    public async Task Token_minted_for_another_scope_is_refused_by_fcm()
    {
        var accessToken = await fixture.AccessTokenAsync(scope: "https://www.googleapis.com/auth/userinfo.email");

        using var response = await fixture.SendFcmAsync(accessToken, SandboxFixture.FcmMessage(TestJwts.RandomFcmToken()));

        var error = await ResponseAssert.GoogleErrorAsync(response, HttpStatusCode.Forbidden, "PERMISSION_DENIED");
        Assert.Equal("Request had insufficient authentication scopes.", error.GetProperty("message").GetString());
    }

    public static TheoryData<string, string> InvalidMessages => new()
    {
        // body, expected FcmError errorCode (null when Google answers with a field violation instead)
        { "{\"message\":{\"token\":\"TOKEN\",\"data\":{\"n\":1}}}", "" },
        { "{\"message\":{\"token\":\"TOKEN\",\"datta\":{}}}", "" },
        { "{\"message\":{\"token\":\"TOKEN\"},\"extra\":1}", "" },
        { "{\"message\":{\"token\":\"TOKEN\",\"android\":{\"ttl\":\"30\"}}}", "" },
        { "{\"message\":{\"token\":\"TOKEN\",\"android\":{\"priority\":\"urgent\"}}}", "" },
        { "{\"message\":{\"token\":\"TOKEN\",\"android\":{\"colapse_key\":\"x\"}}}", "" },
        { "{\"message\":{\"data\":{\"a\":\"b\"}}}", "INVALID_ARGUMENT" },
        { "{\"message\":{\"token\":\"short\"}}", "INVALID_ARGUMENT" },
        { "{\"message\":{\"token\":\"has space in the middle of a long token\"}}", "INVALID_ARGUMENT" },
        { "{\"message\":{\"token\":\"TOKEN\",\"data\":{\"from\":\"x\"}}}", "INVALID_ARGUMENT" },
        { "{\"message\":{\"token\":\"TOKEN\",\"data\":{\"big\":\"" + new string('x', 4094) + "\"}}}", "INVALID_ARGUMENT" },
        { "not json", "" },
    };

    [Theory]
    [MemberData(nameof(InvalidMessages))]
    public async Task Invalid_messages_are_400_invalid_argument(string body, string errorCode)
    {
        var accessToken = await fixture.AccessTokenAsync();
        var token = TestJwts.RandomFcmToken();

        using var response = await fixture.SendFcmAsync(accessToken, body.Replace("TOKEN", token, StringComparison.Ordinal));

        var error = await ResponseAssert.GoogleErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_ARGUMENT");
        Assert.Equal(errorCode.Length == 0 ? null : errorCode, ResponseAssert.FcmErrorCode(error));
        Assert.DoesNotContain(fixture.Sandbox.FcmMessages, m => m.Token == token);
    }

    [Fact]
    public async Task Data_of_exactly_4096_bytes_fits()
    {
        var accessToken = await fixture.AccessTokenAsync();
        var token = TestJwts.RandomFcmToken();

        using var response = await fixture.SendFcmAsync(accessToken,
            SandboxFixture.FcmMessage(token, new Dictionary<string, string> { ["big"] = new string('x', 4093) }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Expired_access_token_is_refused()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var directory = Path.Combine(Path.GetTempPath(), "push-sandbox-tests", Guid.NewGuid().ToString("N"));
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { StateDirectory = directory, TimeProvider = time, AccessTokenLifetimeSeconds = 60 });
        sandbox.RegisterServiceAccount(SandboxFixture.ClientEmail, fixture.ServiceAccountKey, SandboxFixture.ProjectId);
        using var client = SandboxHttp.CreateClient(sandbox.CaCertificate);
        var assertion = TestJwts.GoogleAssertion(fixture.ServiceAccountKey, SandboxFixture.ClientEmail, GoogleAudience, time.GetUtcNow());
        using var tokenResponse = await client.PostAsync(sandbox.OAuthTokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "urn:ietf:params:oauth:grant-type:jwt-bearer",
            ["assertion"] = assertion,
        }));
        using var json = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync());
        Assert.Equal(60, json.RootElement.GetProperty("expires_in").GetInt32());
        var accessToken = json.RootElement.GetProperty("access_token").GetString()!;
        time.Advance(TimeSpan.FromSeconds(61));

        using var response = await fixture.SendFcmAsync(accessToken, SandboxFixture.FcmMessage(TestJwts.RandomFcmToken()), client: client, sandbox: sandbox);

        await ResponseAssert.GoogleErrorAsync(response, HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
        await sandbox.DisposeAsync();
        Directory.Delete(directory, recursive: true);
    }
}
