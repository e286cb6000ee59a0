using System.Net;
using System.Text.Json;
using Push.Testing;

namespace Push.Sandbox.Tests;

public sealed class FaultTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    [Fact]
    public async Task Unregistered_is_410_with_the_fault_timestamp_in_milliseconds()
    {
        var device = TestJwts.RandomDeviceToken();
        var timestamp = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123);
        fixture.Sandbox.Faults.Add(new SandboxFault { Provider = SandboxProvider.Apns, DeviceToken = device, Kind = SandboxFaultKind.Reject, Reason = "Unregistered", Timestamp = timestamp });

        using var response = await fixture.SendApnsAsync(device);

        await ResponseAssert.ApnsReasonAsync(response, HttpStatusCode.Gone, "Unregistered");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(1_700_000_000_123, json.RootElement.GetProperty("timestamp").GetInt64());
        Assert.DoesNotContain(fixture.Sandbox.ApnsPushes, p => p.DeviceToken == device);
    }

    [Theory]
    [InlineData("TooManyRequests", 429)]
    [InlineData("InternalServerError", 500)]
    [InlineData("ServiceUnavailable", 503)]
    [InlineData("Shutdown", 503)]
    [InlineData("ExpiredProviderToken", 403)]
    [InlineData("BadDeviceToken", 400)]
    [InlineData("DeviceTokenNotForTopic", 400)]
    public async Task Apns_reject_faults_answer_with_apples_status(string reason, int status)
    {
        var device = TestJwts.RandomDeviceToken();
        fixture.Sandbox.Faults.Add(new SandboxFault { Provider = SandboxProvider.Apns, DeviceToken = device, Kind = SandboxFaultKind.Reject, Reason = reason });

        using var response = await fixture.SendApnsAsync(device);

        await ResponseAssert.ApnsReasonAsync(response, (HttpStatusCode)status, reason);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.False(json.RootElement.TryGetProperty("timestamp", out _));
    }

    [Fact]
    public async Task Retry_after_is_sent_as_a_header()
    {
        var device = TestJwts.RandomDeviceToken();
        fixture.Sandbox.Faults.Add(new SandboxFault { Provider = SandboxProvider.Apns, DeviceToken = device, Kind = SandboxFaultKind.Reject, Reason = "TooManyRequests", RetryAfterSeconds = 7 });

        using var response = await fixture.SendApnsAsync(device);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task Times_limits_a_fault_to_the_next_n_requests_and_retries_keep_their_apns_id_in_the_log()
    {
        var device = TestJwts.RandomDeviceToken();
        var apnsId = Guid.NewGuid().ToString("D").ToUpperInvariant();
        fixture.Sandbox.Faults.Add(new SandboxFault { Provider = SandboxProvider.Apns, DeviceToken = device, Kind = SandboxFaultKind.Reject, Reason = "ServiceUnavailable", Times = 2 });
        var headers = SandboxFixture.AlertHeaders();
        headers["apns-id"] = apnsId;

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await fixture.SendApnsAsync(device, headers);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK], statuses);
        var attempts = fixture.Sandbox.AllRequests.Where(r => r.DeviceToken == device).ToList();
        Assert.Equal(3, attempts.Count);
        Assert.All(attempts, a => Assert.Equal(apnsId, a.RequestApnsId));
        Assert.Equal(apnsId, Assert.Single(fixture.Sandbox.ApnsPushes, p => p.DeviceToken == device).ApnsId);
    }

    [Fact]
    public async Task Hang_holds_the_request_until_the_client_gives_up()
    {
        var device = TestJwts.RandomDeviceToken();
        fixture.Sandbox.Faults.Add(new SandboxFault { Provider = SandboxProvider.Apns, DeviceToken = device, Kind = SandboxFaultKind.Hang });
        using var impatient = SandboxHttp.CreateClient(fixture.Sandbox.CaCertificate, TimeSpan.FromMilliseconds(500));

        await Assert.ThrowsAsync<TaskCanceledException>(() => fixture.SendApnsAsync(device, client: impatient));

        Assert.DoesNotContain(fixture.Sandbox.ApnsPushes, p => p.DeviceToken == device);
        Assert.Contains(fixture.Sandbox.AllRequests, r => r.DeviceToken == device && r.Fault == SandboxFaultKind.Hang);
    }

    [Fact]
    public async Task Reset_connection_surfaces_as_a_failed_send()
    {
        var device = TestJwts.RandomDeviceToken();
        fixture.Sandbox.Faults.Add(new SandboxFault { Provider = SandboxProvider.Apns, DeviceToken = device, Kind = SandboxFaultKind.ResetConnection, Times = 1 });
        using var client = SandboxHttp.CreateClient(fixture.Sandbox.CaCertificate);

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => fixture.SendApnsAsync(device, client: client));

        Assert.True(failure is HttpRequestException or IOException, failure.ToString());
        using var retry = await fixture.SendApnsAsync(device, client: client);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
    }

    [Fact]
    public async Task Delay_answers_as_usual_only_once_the_sandbox_clock_has_passed_the_delay()
    {
        // On a fake clock: the answer can only come after the test has moved the sandbox's clock past the delay.
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var directory = Path.Combine(Path.GetTempPath(), "push-sandbox-tests", Guid.NewGuid().ToString("N"));
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { StateDirectory = directory, TimeProvider = time });
        sandbox.RegisterApnsKey(SandboxFixture.TeamId, SandboxFixture.KeyId, fixture.ApnsKey, SandboxFixture.BundleId);
        using var client = SandboxHttp.CreateClient(sandbox.CaCertificate, TimeSpan.FromSeconds(60));
        var device = TestJwts.RandomDeviceToken();
        var delay = TimeSpan.FromSeconds(5);
        sandbox.Faults.Add(new SandboxFault { Provider = SandboxProvider.Apns, DeviceToken = device, Kind = SandboxFaultKind.Delay, DelayMs = (int)delay.TotalMilliseconds, Times = 1 });
        var started = time.GetUtcNow();
        var request = SandboxHttp.Http2(HttpMethod.Post, new Uri(sandbox.ApnsEndpoint, "/3/device/" + device));
        request.Headers.TryAddWithoutValidation("authorization", "bearer " + TestJwts.ApnsProviderToken(fixture.ApnsKey, SandboxFixture.KeyId, SandboxFixture.TeamId, started));
        foreach (var (name, value) in SandboxFixture.AlertHeaders()) request.Headers.TryAddWithoutValidation(name, value);
        request.Content = new StringContent("{\"aps\":{\"alert\":\"hi\"}}");

        var pending = client.SendAsync(request);
        await Eventually.TrueAsync(() =>
        {
            if (!pending.IsCompleted) time.Advance(TimeSpan.FromMilliseconds(500));
            return pending.IsCompleted;
        }, "the delayed answer");

        using var response = await pending;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(time.GetUtcNow() - started >= delay, $"answered after {time.GetUtcNow() - started} of sandbox time");
        Assert.Single(sandbox.ApnsPushes, p => p.DeviceToken == device);
        var recorded = Assert.Single(sandbox.AllRequests, r => r.DeviceToken == device);
        Assert.Equal((200, SandboxFaultKind.Delay), (recorded.Status, recorded.Fault));
        await sandbox.DisposeAsync();
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task A_client_that_gives_up_on_a_delayed_request_gets_no_answer_and_nothing_is_accepted()
    {
        var accessToken = await fixture.AccessTokenAsync();
        var token = TestJwts.RandomFcmToken();
        fixture.Sandbox.Faults.Add(new SandboxFault { Provider = SandboxProvider.Fcm, DeviceToken = token, Kind = SandboxFaultKind.Delay, DelayMs = 60_000 });
        using var impatient = SandboxHttp.CreateClient(fixture.Sandbox.CaCertificate, TimeSpan.FromMilliseconds(500));

        await Assert.ThrowsAsync<TaskCanceledException>(() => fixture.SendFcmAsync(accessToken, SandboxFixture.FcmMessage(token), client: impatient));

        await Eventually.TrueAsync(() => fixture.Sandbox.AllRequests.Any(r => r.DeviceToken == token), "the abandoned request recorded");
        var recorded = Assert.Single(fixture.Sandbox.AllRequests, r => r.DeviceToken == token);
        Assert.Equal((0, SandboxFaultKind.Delay), (recorded.Status, recorded.Fault));
        Assert.DoesNotContain(fixture.Sandbox.FcmMessages, m => m.Token == token);
    }

    [Theory]
    [InlineData(SandboxFaultKind.Delay, null)]
    [InlineData(SandboxFaultKind.Delay, 0)]
    [InlineData(SandboxFaultKind.Delay, SandboxFaults.MaxDelayMs + 1)]
    [InlineData(SandboxFaultKind.Hang, 1000)]
    public void A_delay_fault_needs_a_delay_and_no_other_kind_takes_one(SandboxFaultKind kind, int? delayMs)
    {
        var failure = Assert.Throws<ArgumentException>(() => fixture.Sandbox.Faults.Add(new SandboxFault { Provider = SandboxProvider.Apns, Kind = kind, DelayMs = delayMs }));
        Assert.Contains("DelayMs", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Faults_do_not_override_real_rejections()
    {
        var device = TestJwts.RandomDeviceToken();
        fixture.Sandbox.Faults.Add(new SandboxFault { Provider = SandboxProvider.Apns, DeviceToken = device, Kind = SandboxFaultKind.Reject, Reason = "Unregistered" });

        using var response = await fixture.SendApnsAsync(device, providerToken: null);

        await ResponseAssert.ApnsReasonAsync(response, HttpStatusCode.Forbidden, "MissingProviderToken");
    }

    [Fact]
    public void Unknown_reasons_are_refused_when_the_fault_is_added()
    {
        Assert.Throws<ArgumentException>(() => fixture.Sandbox.Faults.Add(new SandboxFault { Provider = SandboxProvider.Apns, Kind = SandboxFaultKind.Reject, Reason = "UNREGISTERED" }));
        Assert.Throws<ArgumentException>(() => fixture.Sandbox.Faults.Add(new SandboxFault { Provider = SandboxProvider.Fcm, Kind = SandboxFaultKind.Reject, Reason = "Unregistered" }));
    }

    [Theory]
    [InlineData("UNREGISTERED", 404, "NOT_FOUND")]
    [InlineData("QUOTA_EXCEEDED", 429, "RESOURCE_EXHAUSTED")]
    [InlineData("UNAVAILABLE", 503, "UNAVAILABLE")]
    [InlineData("INTERNAL", 500, "INTERNAL")]
    [InlineData("INVALID_ARGUMENT", 400, "INVALID_ARGUMENT")]
    [InlineData("SENDER_ID_MISMATCH", 403, "PERMISSION_DENIED")]
    [InlineData("THIRD_PARTY_AUTH_ERROR", 401, "UNAUTHENTICATED")]
    public async Task Fcm_reject_faults_answer_with_googles_status_and_error_code(string errorCode, int status, string canonical)
    {
        var accessToken = await fixture.AccessTokenAsync();
        var token = TestJwts.RandomFcmToken();
        fixture.Sandbox.Faults.Add(new SandboxFault { Provider = SandboxProvider.Fcm, DeviceToken = token, Kind = SandboxFaultKind.Reject, Reason = errorCode, RetryAfterSeconds = 30 });

        using var response = await fixture.SendFcmAsync(accessToken, SandboxFixture.FcmMessage(token));

        var error = await ResponseAssert.GoogleErrorAsync(response, (HttpStatusCode)status, canonical);
        Assert.Equal(errorCode, ResponseAssert.FcmErrorCode(error));
        Assert.Equal(TimeSpan.FromSeconds(30), response.Headers.RetryAfter?.Delta);
        Assert.DoesNotContain(fixture.Sandbox.FcmMessages, m => m.Token == token);
    }

    [Fact]
    public async Task Fcm_hang_and_reset_faults()
    {
        var accessToken = await fixture.AccessTokenAsync();
        var hung = TestJwts.RandomFcmToken();
        var reset = TestJwts.RandomFcmToken();
        fixture.Sandbox.Faults.Add(new SandboxFault { Provider = SandboxProvider.Fcm, DeviceToken = hung, Kind = SandboxFaultKind.Hang });
        fixture.Sandbox.Faults.Add(new SandboxFault { Provider = SandboxProvider.Fcm, DeviceToken = reset, Kind = SandboxFaultKind.ResetConnection });
        using var client = SandboxHttp.CreateClient(fixture.Sandbox.CaCertificate, TimeSpan.FromMilliseconds(500));

        await Assert.ThrowsAsync<TaskCanceledException>(() => fixture.SendFcmAsync(accessToken, SandboxFixture.FcmMessage(hung), client: client));
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => fixture.SendFcmAsync(accessToken, SandboxFixture.FcmMessage(reset), client: client));
        Assert.True(failure is HttpRequestException or IOException, failure.ToString());
    }

    [Fact]
    public async Task Disposing_the_sandbox_is_not_held_up_by_a_hung_request()
    {
        var directory = Path.Combine(Path.GetTempPath(), "push-sandbox-tests", Guid.NewGuid().ToString("N"));
        var sandbox = await SandboxServer.StartAsync(new SandboxOptions { StateDirectory = directory });
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        sandbox.RegisterApnsKey("TEAMHANG01", "KEYHANG001", key, "com.example.app");
        sandbox.Faults.Add(new SandboxFault { Provider = SandboxProvider.Apns, Kind = SandboxFaultKind.Hang });
        using var client = SandboxHttp.CreateClient(sandbox.CaCertificate, TimeSpan.FromSeconds(60));
        var request = SandboxHttp.Http2(HttpMethod.Post, new Uri(sandbox.ApnsEndpoint, "/3/device/" + TestJwts.RandomDeviceToken()));
        request.Headers.TryAddWithoutValidation("authorization", "bearer " + TestJwts.ApnsProviderToken(key, "KEYHANG001", "TEAMHANG01", DateTimeOffset.UtcNow));
        request.Headers.TryAddWithoutValidation("apns-topic", "com.example.app");
        request.Content = new StringContent("{}");
        var pending = client.SendAsync(request);
        await Eventually.TrueAsync(() => sandbox.AllRequests.Any(r => r.Fault == SandboxFaultKind.Hang), "the request held by the Hang fault");

        var disposing = sandbox.DisposeAsync().AsTask();
        var finished = await Task.WhenAny(disposing, Task.Delay(TimeSpan.FromSeconds(20)));

        Assert.Same(disposing, finished);
        await Assert.ThrowsAnyAsync<Exception>(() => pending);
    }
}
