using Microsoft.Extensions.Time.Testing;
using Push.Providers.Apns;
using Push.Providers.Results;
using Push.Providers.Tests.Support;
using Push.Sandbox;

namespace Push.Providers.Tests.Integration;

/// <summary>The APNs client against the sandbox's real HTTP/2 + TLS endpoint.</summary>
public sealed class ApnsSandboxTests
{
    [Theory]
    [InlineData(ApnsPushType.Alert)]
    [InlineData(ApnsPushType.Voip)]
    [InlineData(ApnsPushType.Background)]
    public async Task Push_is_accepted_and_recorded_with_our_headers(ApnsPushType type)
    {
        await using var rig = await SandboxRig.StartAsync();
        using var issuer = rig.CreateIssuer();
        using var client = rig.CreateApnsClient(issuer);
        var push = SandboxRig.Push(SandboxRig.DeviceToken(1), type);

        var result = await client.SendAsync(push, CancellationToken.None);

        Assert.Equal(push.ApnsId.ToString("D"), Assert.IsType<PushAccepted>(result).ProviderMessageId, ignoreCase: true);
        var recorded = Assert.Single(rig.Sandbox.ApnsPushes);
        Assert.Equal(push.DeviceToken, recorded.DeviceToken);
        Assert.Equal(type.ToString().ToLowerInvariant(), recorded.PushType);
        Assert.Equal(push.Topic, recorded.Topic);
        Assert.Equal(push.Priority, recorded.Priority);
        Assert.Equal(push.Expiration?.ToUnixTimeSeconds() ?? 0, recorded.Expiration);
        Assert.Equal(push.CollapseId, recorded.CollapseId);
        Assert.Equal(push.ApnsId.ToString("D"), recorded.ApnsId, ignoreCase: true);
        Assert.Equal(TestKeys.TeamId, recorded.TeamId);
        Assert.Equal(TestKeys.KeyId, recorded.KeyId);
        Assert.Equal(push.Payload.ToArray(), recorded.Body);
    }

    [Fact]
    public async Task Gone_with_timestamp_removes_the_token_as_of_that_time()
    {
        await using var rig = await SandboxRig.StartAsync();
        using var issuer = rig.CreateIssuer();
        using var client = rig.CreateApnsClient(issuer);
        var token = SandboxRig.DeviceToken(2);
        var since = DateTimeOffset.FromUnixTimeMilliseconds(1700000000123);
        rig.Sandbox.Faults.Add(new SandboxFault { Provider = SandboxProvider.Apns, DeviceToken = token, Kind = SandboxFaultKind.Reject, Reason = "Unregistered", Timestamp = since });

        var result = Assert.IsType<PushRejected>(await client.SendAsync(SandboxRig.Push(token), CancellationToken.None));

        Assert.Equal(PushFailureReason.Unregistered, result.Reason);
        Assert.Equal(410, result.HttpStatus);
        Assert.True(result.RemovesToken);
        Assert.False(result.IsTransient);
        Assert.Equal(since, result.TokenInvalidSince);
        Assert.Empty(rig.Sandbox.ApnsPushes);
    }

    [Theory]
    [InlineData("BadDeviceToken", 400, PushFailureReason.BadDeviceToken, false, null)]
    [InlineData("TopicDisallowed", 400, PushFailureReason.TopicDisallowed, false, null)]
    [InlineData("TooManyRequests", 429, PushFailureReason.TooManyRequests, true, 30)]
    [InlineData("InternalServerError", 500, PushFailureReason.InternalServerError, true, null)]
    [InlineData("ServiceUnavailable", 503, PushFailureReason.ServiceUnavailable, true, 5)]
    [InlineData("Shutdown", 503, PushFailureReason.Shutdown, true, null)]
    public async Task Rejections_map_with_status_and_Retry_After(string reason, int status, PushFailureReason expected, bool transient, int? retryAfter)
    {
        await using var rig = await SandboxRig.StartAsync();
        using var issuer = rig.CreateIssuer();
        using var client = rig.CreateApnsClient(issuer);
        rig.Sandbox.Faults.Add(new SandboxFault { Provider = SandboxProvider.Apns, Kind = SandboxFaultKind.Reject, Reason = reason, RetryAfterSeconds = retryAfter, Times = 1 });

        var result = Assert.IsType<PushRejected>(await client.SendAsync(SandboxRig.Push(SandboxRig.DeviceToken(3)), CancellationToken.None));

        Assert.Equal(expected, result.Reason);
        Assert.Equal(status, result.HttpStatus);
        Assert.Equal(reason, result.ProviderReason);
        Assert.Equal(transient, result.IsTransient);
        Assert.Equal(retryAfter is null ? null : TimeSpan.FromSeconds(retryAfter.Value), result.RetryAfter);
    }

    [Fact]
    public async Task A_topic_the_key_does_not_own_is_refused_by_the_sandbox_as_permanent()
    {
        await using var rig = await SandboxRig.StartAsync();
        using var issuer = rig.CreateIssuer();
        using var client = rig.CreateApnsClient(issuer);

        var result = Assert.IsType<PushRejected>(await client.SendAsync(
            SandboxRig.Push(SandboxRig.DeviceToken(4)) with { Topic = "org.someone.else" }, CancellationToken.None));

        Assert.Equal(400, result.HttpStatus);
        Assert.False(result.IsTransient);
        Assert.NotEqual(PushFailureReason.Unknown, result.Reason);
    }

    [Fact]
    public async Task A_hung_request_becomes_a_Timeout_transport_exception()
    {
        await using var rig = await SandboxRig.StartAsync();
        rig.ApnsOptions.RequestTimeout = TimeSpan.FromMilliseconds(700);
        using var issuer = rig.CreateIssuer();
        using var client = rig.CreateApnsClient(issuer);
        rig.Sandbox.Faults.Add(new SandboxFault { Provider = SandboxProvider.Apns, Kind = SandboxFaultKind.Hang, Times = 1 });

        var ex = await Assert.ThrowsAsync<PushTransportException>(() => client.SendAsync(SandboxRig.Push(SandboxRig.DeviceToken(5)), CancellationToken.None));

        Assert.Equal(PushFailureReason.Timeout, ex.Reason);
        // The connection survives a timed-out stream: the next push goes through.
        Assert.IsType<PushAccepted>(await client.SendAsync(SandboxRig.Push(SandboxRig.DeviceToken(5)), CancellationToken.None));
    }

    [Fact]
    public async Task A_reset_connection_becomes_a_NetworkFailure_transport_exception()
    {
        await using var rig = await SandboxRig.StartAsync();
        using var issuer = rig.CreateIssuer();
        using var client = rig.CreateApnsClient(issuer);
        rig.Sandbox.Faults.Add(new SandboxFault { Provider = SandboxProvider.Apns, Kind = SandboxFaultKind.ResetConnection, Times = 1 });

        var ex = await Assert.ThrowsAsync<PushTransportException>(() => client.SendAsync(SandboxRig.Push(SandboxRig.DeviceToken(6)), CancellationToken.None));

        Assert.Equal(PushFailureReason.NetworkFailure, ex.Reason);
        Assert.True(ex.IsTransient);
        Assert.IsType<PushAccepted>(await client.SendAsync(SandboxRig.Push(SandboxRig.DeviceToken(6)), CancellationToken.None));
    }

    [Fact]
    public async Task Expired_provider_token_after_20_minutes_is_reminted_and_resent_with_the_same_apns_id()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var rig = await SandboxRig.StartAsync(time);
        using var issuer = rig.CreateIssuer();
        using var client = rig.CreateApnsClient(issuer);
        Assert.IsType<PushAccepted>(await client.SendAsync(SandboxRig.Push(SandboxRig.DeviceToken(7)), CancellationToken.None));
        time.Advance(TimeSpan.FromMinutes(21));
        rig.Sandbox.Faults.Add(new SandboxFault { Provider = SandboxProvider.Apns, Kind = SandboxFaultKind.Reject, Reason = "ExpiredProviderToken", Times = 1 });
        var push = SandboxRig.Push(SandboxRig.DeviceToken(8));

        var result = await client.SendAsync(push, CancellationToken.None);

        Assert.IsType<PushAccepted>(result);
        var attempts = rig.Sandbox.AllRequests.Where(r => r.DeviceToken == push.DeviceToken).ToArray();
        Assert.Equal(2, attempts.Length);
        Assert.Equal("ExpiredProviderToken", attempts[0].Reason);
        Assert.All(attempts, a => Assert.Equal(push.ApnsId.ToString("D"), a.RequestApnsId, ignoreCase: true));
        Assert.Equal(2, rig.Sandbox.ProviderTokensSeen.Count);
        Assert.Equal(2, issuer.MintCount);
    }

    [Fact]
    public async Task Expired_provider_token_within_20_minutes_is_not_reminted()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var rig = await SandboxRig.StartAsync(time);
        using var issuer = rig.CreateIssuer();
        using var client = rig.CreateApnsClient(issuer);
        Assert.IsType<PushAccepted>(await client.SendAsync(SandboxRig.Push(SandboxRig.DeviceToken(9)), CancellationToken.None));
        time.Advance(TimeSpan.FromMinutes(10));
        rig.Sandbox.Faults.Add(new SandboxFault { Provider = SandboxProvider.Apns, Kind = SandboxFaultKind.Reject, Reason = "ExpiredProviderToken", Times = 1 });
        var push = SandboxRig.Push(SandboxRig.DeviceToken(10));

        var result = Assert.IsType<PushRejected>(await client.SendAsync(push, CancellationToken.None));

        Assert.Equal(PushFailureReason.ExpiredProviderToken, result.Reason);
        Assert.True(result.IsTransient);
        Assert.Single(rig.Sandbox.AllRequests, r => r.DeviceToken == push.DeviceToken);
        Assert.Single(rig.Sandbox.ProviderTokensSeen);
        Assert.Equal(1, issuer.MintCount);
    }

    [Fact]
    public async Task Five_hundred_concurrent_sends_share_one_provider_token()
    {
        await using var rig = await SandboxRig.StartAsync();
        rig.ApnsOptions.Connections = 2;
        using var issuer = rig.CreateIssuer();
        using var client = rig.CreateApnsClient(issuer);

        var results = await Task.WhenAll(Enumerable.Range(0, 500).Select(i =>
            Task.Run(() => client.SendAsync(SandboxRig.Push(SandboxRig.DeviceToken(i % 200)), CancellationToken.None))));

        Assert.All(results, r => Assert.IsType<PushAccepted>(r));
        Assert.Equal(500, rig.Sandbox.ApnsPushes.Count);
        Assert.Single(rig.Sandbox.ProviderTokensSeen);
        Assert.Equal(1, issuer.MintCount);
    }

    [Fact]
    public async Task Oversize_payload_never_reaches_the_sandbox()
    {
        await using var rig = await SandboxRig.StartAsync();
        using var issuer = rig.CreateIssuer();
        using var client = rig.CreateApnsClient(issuer);

        var result = Assert.IsType<PushRejected>(await client.SendAsync(
            SandboxRig.Push(SandboxRig.DeviceToken(11)) with { Payload = ApnsTestRig.Payload(4097) }, CancellationToken.None));

        Assert.Equal(PushFailureReason.PayloadTooLarge, result.Reason);
        Assert.Null(result.HttpStatus);
        Assert.Empty(rig.Sandbox.AllRequests);
    }

    [Fact]
    public async Task Logs_hold_neither_device_token_nor_provider_token_nor_key()
    {
        await using var rig = await SandboxRig.StartAsync();
        using var issuer = rig.CreateIssuer();
        using var client = rig.CreateApnsClient(issuer);
        var token = SandboxRig.DeviceToken(12);
        rig.Sandbox.Faults.Add(new SandboxFault { Provider = SandboxProvider.Apns, Kind = SandboxFaultKind.Reject, Reason = "BadDeviceToken", Times = 1 });

        await client.SendAsync(SandboxRig.Push(token), CancellationToken.None);
        await client.SendAsync(SandboxRig.Push(token), CancellationToken.None);

        var jwt = (await issuer.GetAsync(CancellationToken.None)).Jwt;
        var logs = rig.Logs.AllText;
        Assert.NotEmpty(rig.Logs.Lines);
        Assert.DoesNotContain(token, logs);
        Assert.DoesNotContain(jwt, logs);
        Assert.DoesNotContain(PemBody(rig.ApnsPrivateKeyPem), logs);
    }

    internal static string PemBody(string pem) => pem.Split('\n')[1].Trim();
}
