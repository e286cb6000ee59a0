using System.Net;
using Push.Providers.Apns;
using Push.Providers.Results;
using Push.Providers.Tests.Support;
using Push.Testing;

namespace Push.Providers.Tests.Apns;

public sealed class ApnsClientTests
{
    private static HttpResponseMessage Ok(RecordedRequest request)
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Version = HttpVersion.Version20, Content = new ByteArrayContent([]) };
        response.Headers.TryAddWithoutValidation("apns-id", request.Header("apns-id"));
        return response;
    }

    [Fact]
    public async Task Sends_every_APNs_header_over_HTTP2_exactly()
    {
        using var rig = new ApnsTestRig(Ok);
        var expiration = new DateTimeOffset(2025, 3, 1, 12, 0, 30, TimeSpan.Zero);
        var notification = new ApnsNotification(new string('b', 64), ApnsPushType.Voip, "com.example.app.voip", 10, expiration, "call-1", Guid.NewGuid(),
            """{"t":"call"}"""u8.ToArray());

        var result = await rig.Client.SendAsync(notification, CancellationToken.None);

        var accepted = Assert.IsType<PushAccepted>(result);
        Assert.Equal(notification.ApnsId.ToString(), accepted.ProviderMessageId);
        var request = Assert.Single(rig.Handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://apns.test/3/device/" + new string('b', 64), request.Uri.AbsoluteUri);
        Assert.Equal(HttpVersion.Version20, request.Version);
        Assert.Equal(HttpVersionPolicy.RequestVersionExact, request.VersionPolicy);
        Assert.Equal("voip", request.Header("apns-push-type"));
        Assert.Equal("com.example.app.voip", request.Header("apns-topic"));
        Assert.Equal("10", request.Header("apns-priority"));
        Assert.Equal(expiration.ToUnixTimeSeconds().ToString(), request.Header("apns-expiration"));
        Assert.Equal("call-1", request.Header("apns-collapse-id"));
        Assert.Equal(notification.ApnsId.ToString("D"), request.Header("apns-id"));
        Assert.StartsWith("bearer ", request.Header("authorization"));
        Assert.Equal("""{"t":"call"}""", request.BodyText);
    }

    [Fact]
    public async Task Expiration_null_is_zero_and_no_collapse_header()
    {
        using var rig = new ApnsTestRig(Ok);

        await rig.Client.SendAsync(ApnsTestRig.Alert(), CancellationToken.None);

        var request = Assert.Single(rig.Handler.Requests);
        Assert.Equal("0", request.Header("apns-expiration"));
        Assert.Null(request.Header("apns-collapse-id"));
        Assert.Equal("alert", request.Header("apns-push-type"));
    }

    public static TheoryData<string, PushFailureReason> Refusals => new()
    {
        { "oversize-alert", PushFailureReason.PayloadTooLarge },
        { "oversize-voip", PushFailureReason.PayloadTooLarge },
        { "empty", PushFailureReason.PayloadEmpty },
        { "collapse", PushFailureReason.BadCollapseId },
        { "priority", PushFailureReason.BadPriority },
        { "background-10", PushFailureReason.BadPriority },
        { "token", PushFailureReason.BadDeviceToken },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Refuses_before_sending(string what, PushFailureReason expected)
    {
        using var rig = new ApnsTestRig(Ok);
        var n = ApnsTestRig.Alert();
        n = what switch
        {
            "oversize-alert" => n with { Payload = ApnsTestRig.Payload(4097) },
            "oversize-voip" => n with { PushType = ApnsPushType.Voip, Payload = ApnsTestRig.Payload(5121) },
            "empty" => n with { Payload = ReadOnlyMemory<byte>.Empty },
            "collapse" => n with { CollapseId = new string('c', 65) },
            "priority" => n with { Priority = 7 },
            "background-10" => n with { PushType = ApnsPushType.Background, Priority = 10 },
            "token" => n with { DeviceToken = "../../etc" },
            _ => throw new ArgumentOutOfRangeException(nameof(what)),
        };

        var result = Assert.IsType<PushRejected>(await rig.Client.SendAsync(n, CancellationToken.None));

        Assert.Equal(expected, result.Reason);
        Assert.Null(result.HttpStatus);
        Assert.True(result.RejectedBeforeSending);
        Assert.Empty(rig.Handler.Requests);
    }

    [Fact]
    public async Task Payload_at_the_limit_is_sent()
    {
        using var rig = new ApnsTestRig(Ok);

        var alert = await rig.Client.SendAsync(ApnsTestRig.Alert() with { Payload = ApnsTestRig.Payload(4096) }, CancellationToken.None);
        var voip = await rig.Client.SendAsync(ApnsTestRig.Alert() with { PushType = ApnsPushType.Voip, Payload = ApnsTestRig.Payload(5120) }, CancellationToken.None);

        Assert.IsType<PushAccepted>(alert);
        Assert.IsType<PushAccepted>(voip);
        Assert.Equal(2, rig.Handler.Requests.Count);
    }

    [Fact]
    public async Task Expired_provider_token_past_20_minutes_remints_and_retries_once_with_the_same_apns_id()
    {
        var calls = 0;
        using var rig = new ApnsTestRig(r => Interlocked.Increment(ref calls) == 1
            ? RecordingHandler.Json(HttpStatusCode.Forbidden, """{"reason":"ExpiredProviderToken"}""")
            : Ok(r));
        await rig.Issuer.GetAsync(CancellationToken.None);
        rig.Time.Advance(TimeSpan.FromMinutes(21));
        var n = ApnsTestRig.Alert();

        var result = await rig.Client.SendAsync(n, CancellationToken.None);

        Assert.IsType<PushAccepted>(result);
        var requests = rig.Handler.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.Equal(n.ApnsId.ToString(), requests[0].Header("apns-id"));
        Assert.Equal(requests[0].Header("apns-id"), requests[1].Header("apns-id"));
        Assert.NotEqual(requests[0].Header("authorization"), requests[1].Header("authorization"));
        Assert.Equal(2, rig.Issuer.MintCount);
    }

    [Fact]
    public async Task Expired_provider_token_within_20_minutes_does_not_remint_or_retry()
    {
        using var rig = new ApnsTestRig(_ => RecordingHandler.Json(HttpStatusCode.Forbidden, """{"reason":"ExpiredProviderToken"}"""));
        await rig.Issuer.GetAsync(CancellationToken.None);
        rig.Time.Advance(TimeSpan.FromMinutes(19));

        var result = Assert.IsType<PushRejected>(await rig.Client.SendAsync(ApnsTestRig.Alert(), CancellationToken.None));

        Assert.Equal(PushFailureReason.ExpiredProviderToken, result.Reason);
        Assert.True(result.IsTransient);
        Assert.Single(rig.Handler.Requests);
        Assert.Equal(1, rig.Issuer.MintCount);
    }

    [Fact]
    public async Task Expired_twice_retries_only_once()
    {
        using var rig = new ApnsTestRig(_ => RecordingHandler.Json(HttpStatusCode.Forbidden, """{"reason":"ExpiredProviderToken"}"""));
        await rig.Issuer.GetAsync(CancellationToken.None);
        rig.Time.Advance(TimeSpan.FromMinutes(25));

        var result = Assert.IsType<PushRejected>(await rig.Client.SendAsync(ApnsTestRig.Alert(), CancellationToken.None));

        Assert.Equal(PushFailureReason.ExpiredProviderToken, result.Reason);
        Assert.Equal(2, rig.Handler.Requests.Count);
    }

    [Fact]
    public async Task A_failed_connection_is_a_NetworkFailure_transport_exception()
    {
        using var rig = new ApnsTestRig((_, _) => throw new HttpRequestException(HttpRequestError.ConnectionError, "connection reset"));

        var ex = await Assert.ThrowsAsync<PushTransportException>(() => rig.Client.SendAsync(ApnsTestRig.Alert(), CancellationToken.None));

        Assert.Equal(PushFailureReason.NetworkFailure, ex.Reason);
        Assert.Equal(PushProvider.Apns, ex.Provider);
        Assert.True(ex.IsTransient);
    }

    [Fact]
    public async Task No_answer_within_RequestTimeout_is_a_Timeout_transport_exception()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var rig = new ApnsTestRig(async (_, ct) =>
        {
            entered.SetResult();
            await Task.Delay(Timeout.Infinite, ct);
            throw new InvalidOperationException("unreachable");
        });

        var send = rig.Client.SendAsync(ApnsTestRig.Alert(), CancellationToken.None);
        await entered.Task;
        rig.Time.Advance(rig.Options.RequestTimeout + TimeSpan.FromMilliseconds(1));

        var ex = await Assert.ThrowsAsync<PushTransportException>(() => send);
        Assert.Equal(PushFailureReason.Timeout, ex.Reason);
        Assert.Contains("Apns:RequestTimeout", ex.Message);
    }

    [Fact]
    public async Task The_callers_cancellation_stays_a_cancellation()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var rig = new ApnsTestRig(async (_, ct) =>
        {
            entered.SetResult();
            await Task.Delay(Timeout.Infinite, ct);
            throw new InvalidOperationException("unreachable");
        });
        using var cts = new CancellationTokenSource();

        var send = rig.Client.SendAsync(ApnsTestRig.Alert(), cts.Token);
        await entered.Task;
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send);
    }

    [Fact]
    public async Task In_flight_requests_per_connection_are_capped()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inHandler = 0;
        var maxSeen = 0;
        using var rig = new ApnsTestRig(async (r, _) =>
        {
            var now = Interlocked.Increment(ref inHandler);
            InterlockedMax(ref maxSeen, now);
            await release.Task;
            Interlocked.Decrement(ref inHandler);
            return Ok(r);
        }, o => { o.Connections = 2; o.MaxConcurrentStreamsPerConnection = 3; });

        var sends = Enumerable.Range(0, 20).Select(_ => rig.Client.SendAsync(ApnsTestRig.Alert(), CancellationToken.None)).ToArray();
        await Eventually.TrueAsync(() => Volatile.Read(ref inHandler) >= 6, "six requests in the handler");
        release.SetResult();
        var results = await Task.WhenAll(sends);

        Assert.All(results, r => Assert.IsType<PushAccepted>(r));
        // Never more than the cap at once (2 connections x 3 streams), before the release and while the rest drained.
        Assert.Equal(6, maxSeen);
    }

    [Fact]
    public async Task Logs_never_hold_the_device_token_or_the_jwt()
    {
        using var rig = new ApnsTestRig(_ => RecordingHandler.Json(HttpStatusCode.BadRequest, """{"reason":"BadDeviceToken"}"""));
        var n = ApnsTestRig.Alert();

        await rig.Client.SendAsync(n, CancellationToken.None);

        var jwt = (await rig.Issuer.GetAsync(CancellationToken.None)).Jwt;
        var logs = rig.Logs.AllText;
        Assert.Contains(TokenHash.Of(n.DeviceToken), logs);
        Assert.DoesNotContain(n.DeviceToken, logs);
        Assert.DoesNotContain(jwt, logs);
        Assert.DoesNotContain(jwt.Split('.')[2], logs);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
