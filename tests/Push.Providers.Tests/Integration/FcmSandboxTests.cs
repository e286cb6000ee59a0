using Microsoft.Extensions.Time.Testing;
using Push.Providers.Fcm;
using Push.Providers.Results;
using Push.Providers.Tests.Support;
using Push.Sandbox;

namespace Push.Providers.Tests.Integration;

/// <summary>The FCM client and Google.Apis.Auth token source against the sandbox's FCM and OAuth endpoints.</summary>
public sealed class FcmSandboxTests
{
    private static FcmMessage Message(string token = "fcm-registration-token-0001:APA91bHexample") => new(
        token,
        new Dictionary<string, string> { ["t"] = "call", ["id"] = "evt-42", ["c"] = "Y2lwaGVydGV4dA" },
        FcmAndroidPriority.High,
        TimeSpan.FromSeconds(30),
        "conv-abc");

    [Fact]
    public async Task Message_is_accepted_with_an_OAuth_token_from_the_service_account()
    {
        await using var rig = await SandboxRig.StartAsync();
        using var tokens = rig.CreateTokenSource();
        using var client = rig.CreateFcmClient(tokens);

        var first = await client.SendAsync(Message(), CancellationToken.None);
        var second = await client.SendAsync(Message(), CancellationToken.None);

        var accepted = Assert.IsType<PushAccepted>(first);
        Assert.IsType<PushAccepted>(second);
        Assert.StartsWith("projects/demo-project/messages/", accepted.ProviderMessageId);
        var recorded = rig.Sandbox.FcmMessages[0];
        Assert.Equal(SandboxRig.ProjectId, recorded.ProjectId);
        Assert.Equal(Message().Token, recorded.Token);
        Assert.Equal(Message().Data, recorded.Data);
        Assert.Equal("high", recorded.AndroidPriority);
        Assert.Equal("30s", recorded.Ttl);
        Assert.Equal("conv-abc", recorded.CollapseKey);
        Assert.Equal(accepted.ProviderMessageId, recorded.MessageName);
        Assert.Equal(1, rig.Sandbox.AccessTokensIssued);
    }

    [Theory]
    [InlineData("temporarily_unavailable")] // 503
    [InlineData("internal_failure")]        // 500
    public async Task A_token_endpoint_answering_5xx_is_a_transient_outage_and_the_next_send_gets_through(string error)
    {
        await using var rig = await SandboxRig.StartAsync();
        using var tokens = rig.CreateTokenSource();
        using var client = rig.CreateFcmClient(tokens);
        // Until cleared: Google.Apis.Auth itself retries a 503 a few times before it gives up.
        rig.Sandbox.Faults.Add(new SandboxFault { Provider = SandboxProvider.OAuth, Kind = SandboxFaultKind.Reject, Reason = error });

        var during = Assert.IsType<PushRejected>(await client.SendAsync(Message(), CancellationToken.None));
        rig.Sandbox.Faults.Clear();
        var after = await client.SendAsync(Message(), CancellationToken.None);

        Assert.Equal(PushFailureReason.TokenEndpointUnavailable, during.Reason);
        Assert.True(during.IsTransient);
        Assert.Null(during.HttpStatus); // FCM itself was never asked
        Assert.DoesNotContain(rig.Sandbox.AllRequests, r => r.Target == "Fcm" && r.Status != 200);
        Assert.IsType<PushAccepted>(after);
        var line = Assert.Single(rig.Logs.Lines, l => l.Id.Id == 1107).Text;
        Assert.Contains("token endpoint is unavailable", line, StringComparison.Ordinal);
        Assert.DoesNotContain(rig.Logs.Lines, l => l.Id.Id == 1106);
    }

    [Fact]
    public async Task A_token_endpoint_that_does_not_answer_in_time_is_a_transient_outage()
    {
        await using var rig = await SandboxRig.StartAsync();
        rig.FcmOptions.RequestTimeout = TimeSpan.FromSeconds(1);
        using var tokens = rig.CreateTokenSource();
        using var client = rig.CreateFcmClient(tokens);
        rig.Sandbox.Faults.Add(new SandboxFault { Provider = SandboxProvider.OAuth, Kind = SandboxFaultKind.Hang });

        var result = Assert.IsType<PushRejected>(await client.SendAsync(Message(), CancellationToken.None));

        Assert.Equal(PushFailureReason.TokenEndpointUnavailable, result.Reason);
        Assert.True(result.IsTransient);
    }

    [Fact]
    public async Task An_unreachable_token_endpoint_is_a_transient_outage_not_an_fcm_failure()
    {
        await using var rig = await SandboxRig.StartAsync();
        var closed = Push.Testing.FreePorts.Next();
        using var key = System.Security.Cryptography.RSA.Create();
        key.ImportFromPem(rig.ServiceAccountPrivateKeyPem);
        rig.FcmOptions.ServiceAccountPath = TestKeys.WriteServiceAccount(rig.Directory.Path, key, SandboxRig.ClientEmail, SandboxRig.ProjectId,
            new Uri($"https://127.0.0.1:{closed}/token"));
        using var tokens = rig.CreateTokenSource();
        using var client = rig.CreateFcmClient(tokens);

        var result = Assert.IsType<PushRejected>(await client.SendAsync(Message(), CancellationToken.None));

        Assert.Equal(PushFailureReason.TokenEndpointUnavailable, result.Reason);
        Assert.Contains("unreachable", result.ProviderReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_grant_is_a_permanent_authentication_failure()
    {
        await using var rig = await SandboxRig.StartAsync();
        using var tokens = rig.CreateTokenSource();
        using var client = rig.CreateFcmClient(tokens);
        rig.Sandbox.Faults.Add(new SandboxFault { Provider = SandboxProvider.OAuth, Kind = SandboxFaultKind.Reject, Reason = "invalid_grant" });

        var result = Assert.IsType<PushRejected>(await client.SendAsync(Message(), CancellationToken.None));

        Assert.Equal(PushFailureReason.AuthenticationFailed, result.Reason);
        Assert.False(result.IsTransient);
        Assert.Contains("invalid_grant", result.ProviderReason, StringComparison.Ordinal);
        Assert.Contains("Fcm:ServiceAccountPath", Assert.Single(rig.Logs.Lines, l => l.Id.Id == 1106).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unauthenticated_fetches_one_new_token_and_retries_once()
    {
        // Our clock and the sandbox's drift apart: the sandbox sees the cached token as expired while
        // we still consider it fresh, which is exactly when FCM answers 401.
        var ours = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var theirs = new FakeTimeProvider(ours.GetUtcNow());
        await using var rig = await SandboxRig.StartAsync(ours, theirs);
        using var tokens = rig.CreateTokenSource();
        using var client = rig.CreateFcmClient(tokens);
        Assert.IsType<PushAccepted>(await client.SendAsync(Message(), CancellationToken.None));
        ours.Advance(TimeSpan.FromMinutes(30));
        theirs.Advance(TimeSpan.FromMinutes(61));

        var result = await client.SendAsync(Message(), CancellationToken.None);

        Assert.IsType<PushAccepted>(result);
        Assert.Equal(2, rig.Sandbox.AccessTokensIssued);
        var fcmAttempts = rig.Sandbox.AllRequests.Where(r => r.Target == "Fcm").ToArray();
        Assert.Equal([200, 401, 200], fcmAttempts.Select(r => r.Status));
    }

    [Theory]
    [InlineData("UNREGISTERED", 404, PushFailureReason.Unregistered)]
    [InlineData("INVALID_ARGUMENT", 400, PushFailureReason.InvalidRequest)]
    [InlineData("SENDER_ID_MISMATCH", 403, PushFailureReason.SenderIdMismatch)]
    [InlineData("QUOTA_EXCEEDED", 429, PushFailureReason.TooManyRequests)]
    [InlineData("UNAVAILABLE", 503, PushFailureReason.ServiceUnavailable)]
    [InlineData("INTERNAL", 500, PushFailureReason.InternalServerError)]
    [InlineData("THIRD_PARTY_AUTH_ERROR", 401, PushFailureReason.AuthenticationFailed)]
    public async Task Sandbox_errors_map(string errorCode, int status, PushFailureReason expected)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var rig = await SandboxRig.StartAsync(time);
        using var tokens = rig.CreateTokenSource();
        using var client = rig.CreateFcmClient(tokens);
        rig.Sandbox.Faults.Add(new SandboxFault { Provider = SandboxProvider.Fcm, Kind = SandboxFaultKind.Reject, Reason = errorCode, Times = 1 });

        var result = Assert.IsType<PushRejected>(await client.SendAsync(Message(), CancellationToken.None));

        Assert.Equal(expected, result.Reason);
        Assert.Equal(status, result.HttpStatus);
        Assert.Equal(errorCode, result.ProviderReason);
        Assert.Equal(expected == PushFailureReason.Unregistered ? time.GetUtcNow() : null, result.TokenInvalidSince);
        if (errorCode == "QUOTA_EXCEEDED")
        {
            Assert.Equal(TimeSpan.FromSeconds(60), result.RetryAfter);
        }
        Assert.Equal(1, rig.Sandbox.AccessTokensIssued);
    }

    [Fact]
    public async Task Retry_After_from_the_sandbox_is_honoured()
    {
        await using var rig = await SandboxRig.StartAsync();
        using var tokens = rig.CreateTokenSource();
        using var client = rig.CreateFcmClient(tokens);
        rig.Sandbox.Faults.Add(new SandboxFault { Provider = SandboxProvider.Fcm, Kind = SandboxFaultKind.Reject, Reason = "UNAVAILABLE", RetryAfterSeconds = 17, Times = 1 });

        var result = Assert.IsType<PushRejected>(await client.SendAsync(Message(), CancellationToken.None));

        Assert.Equal(TimeSpan.FromSeconds(17), result.RetryAfter);
        Assert.True(result.IsTransient);
    }

    [Fact]
    public async Task Hang_and_reset_are_transport_exceptions()
    {
        await using var rig = await SandboxRig.StartAsync();
        rig.FcmOptions.RequestTimeout = TimeSpan.FromMilliseconds(700);
        using var tokens = rig.CreateTokenSource();
        using var client = rig.CreateFcmClient(tokens);
        await tokens.GetAsync(CancellationToken.None);
        rig.Sandbox.Faults.Add(new SandboxFault { Provider = SandboxProvider.Fcm, Kind = SandboxFaultKind.Hang, Times = 1 });
        rig.Sandbox.Faults.Add(new SandboxFault { Provider = SandboxProvider.Fcm, Kind = SandboxFaultKind.ResetConnection, Times = 1 });

        var hang = await Assert.ThrowsAsync<PushTransportException>(() => client.SendAsync(Message(), CancellationToken.None));
        var reset = await Assert.ThrowsAsync<PushTransportException>(() => client.SendAsync(Message(), CancellationToken.None));

        Assert.Equal(PushFailureReason.Timeout, hang.Reason);
        Assert.Equal(PushFailureReason.NetworkFailure, reset.Reason);
        Assert.Equal(PushProvider.Fcm, reset.Provider);
    }

    [Fact]
    public async Task A_service_account_key_the_token_endpoint_does_not_know_is_AuthenticationFailed_before_sending()
    {
        await using var rig = await SandboxRig.StartAsync();
        using (var stranger = System.Security.Cryptography.RSA.Create(2048))
        {
            rig.Sandbox.RegisterServiceAccount(SandboxRig.ClientEmail, stranger, SandboxRig.ProjectId, "0123456789abcdef");
        }
        using var tokens = rig.CreateTokenSource();
        using var client = rig.CreateFcmClient(tokens);

        var result = Assert.IsType<PushRejected>(await client.SendAsync(Message(), CancellationToken.None));

        Assert.Equal(PushFailureReason.AuthenticationFailed, result.Reason);
        Assert.Null(result.HttpStatus);
        Assert.StartsWith("oauth:", result.ProviderReason);
        Assert.Empty(rig.Sandbox.FcmMessages);
        Assert.DoesNotContain(rig.Sandbox.AllRequests, r => r.Target == "Fcm");
    }

    [Fact]
    public async Task Oversize_data_never_reaches_the_sandbox()
    {
        await using var rig = await SandboxRig.StartAsync();
        using var tokens = rig.CreateTokenSource();
        using var client = rig.CreateFcmClient(tokens);

        var result = Assert.IsType<PushRejected>(await client.SendAsync(
            Message() with { Data = new Dictionary<string, string> { ["c"] = new string('x', 4096) } }, CancellationToken.None));

        Assert.Equal(PushFailureReason.PayloadTooLarge, result.Reason);
        Assert.Empty(rig.Sandbox.AllRequests);
    }

    [Fact]
    public async Task Logs_hold_neither_access_token_nor_registration_token_nor_key()
    {
        await using var rig = await SandboxRig.StartAsync();
        using var tokens = rig.CreateTokenSource();
        using var client = rig.CreateFcmClient(tokens);
        rig.Sandbox.Faults.Add(new SandboxFault { Provider = SandboxProvider.Fcm, Kind = SandboxFaultKind.Reject, Reason = "UNREGISTERED", Times = 1 });

        await client.SendAsync(Message(), CancellationToken.None);

        var accessToken = (await tokens.GetAsync(CancellationToken.None)).AccessToken;
        var logs = rig.Logs.AllText;
        Assert.Contains(TokenHash.Of(accessToken), logs);
        Assert.DoesNotContain(accessToken, logs);
        Assert.DoesNotContain(Message().Token, logs);
        Assert.DoesNotContain(ApnsSandboxTests.PemBody(rig.ServiceAccountPrivateKeyPem), logs);
    }
}
