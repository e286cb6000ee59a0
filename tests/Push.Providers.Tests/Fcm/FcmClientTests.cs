using System.Net;
using System.Text.Json;
using Push.Providers.Fcm;
using Push.Providers.Results;
using Push.Providers.Tests.Support;

namespace Push.Providers.Tests.Fcm;

public sealed class FcmClientTests
{
    private static HttpResponseMessage Ok(RecordedRequest _) =>
        RecordingHandler.Json(HttpStatusCode.OK, """{"name":"projects/demo-project/messages/0:1700000000%31"}""");

    [Fact]
    public async Task Posts_the_v1_message_with_bearer_token()
    {
        using var rig = new FcmTestRig(Ok);

        var result = await rig.Client.SendAsync(FcmTestRig.Message(), CancellationToken.None);

        Assert.Equal("projects/demo-project/messages/0:1700000000%31", Assert.IsType<PushAccepted>(result).ProviderMessageId);
        var request = Assert.Single(rig.Handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://fcm.test/v1/projects/demo-project/messages:send", request.Uri.AbsoluteUri);
        Assert.Equal(HttpVersion.Version20, request.Version);
        Assert.Equal(HttpVersionPolicy.RequestVersionOrLower, request.VersionPolicy);
        Assert.Equal("Bearer " + rig.Tokens.Current.AccessToken, request.Header("authorization"));
        using var body = JsonDocument.Parse(request.Body);
        var message = body.RootElement.GetProperty("message");
        Assert.Equal(FcmTestRig.Message().Token, message.GetProperty("token").GetString());
        Assert.Equal("call", message.GetProperty("data").GetProperty("type").GetString());
        Assert.Equal("evt-1", message.GetProperty("data").GetProperty("id").GetString());
        var android = message.GetProperty("android");
        Assert.Equal("high", android.GetProperty("priority").GetString());
        Assert.Equal("28s", android.GetProperty("ttl").GetString());
        Assert.Equal("conv-1", android.GetProperty("collapse_key").GetString());
    }

    [Fact]
    public async Task Normal_priority_without_ttl_or_collapse_key()
    {
        using var rig = new FcmTestRig(Ok);

        await rig.Client.SendAsync(FcmTestRig.Message() with { Priority = FcmAndroidPriority.Normal, TimeToLive = null, CollapseKey = null }, CancellationToken.None);

        using var body = JsonDocument.Parse(Assert.Single(rig.Handler.Requests).Body);
        var android = body.RootElement.GetProperty("message").GetProperty("android");
        Assert.Equal("normal", android.GetProperty("priority").GetString());
        Assert.False(android.TryGetProperty("ttl", out _));
        Assert.False(android.TryGetProperty("collapse_key", out _));
    }

    [Fact]
    public async Task Oversize_data_is_refused_before_sending()
    {
        using var rig = new FcmTestRig(Ok);

        var result = Assert.IsType<PushRejected>(await rig.Client.SendAsync(FcmTestRig.Message(dataBytes: 4097), CancellationToken.None));

        Assert.Equal(PushFailureReason.PayloadTooLarge, result.Reason);
        Assert.Null(result.HttpStatus);
        Assert.Empty(rig.Handler.Requests);
    }

    [Fact]
    public async Task Data_at_the_limit_is_sent()
    {
        using var rig = new FcmTestRig(Ok);

        Assert.IsType<PushAccepted>(await rig.Client.SendAsync(FcmTestRig.Message(dataBytes: 4096), CancellationToken.None));
    }

    [Fact]
    public async Task Unauthenticated_refreshes_once_and_retries_once()
    {
        var calls = 0;
        using var rig = new FcmTestRig(r => Interlocked.Increment(ref calls) == 1
            ? RecordingHandler.Json(HttpStatusCode.Unauthorized, """{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}}""")
            : Ok(r));

        var result = await rig.Client.SendAsync(FcmTestRig.Message(), CancellationToken.None);

        Assert.IsType<PushAccepted>(result);
        Assert.Equal(1, rig.Tokens.Refreshes);
        var requests = rig.Handler.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.NotEqual(requests[0].Header("authorization"), requests[1].Header("authorization"));
        Assert.Equal(requests[0].BodyText, requests[1].BodyText);
    }

    [Fact]
    public async Task Unauthenticated_twice_gives_up_after_one_retry()
    {
        using var rig = new FcmTestRig(_ =>
            RecordingHandler.Json(HttpStatusCode.Unauthorized, """{"error":{"code":401,"message":"x","status":"UNAUTHENTICATED"}}"""));

        var result = Assert.IsType<PushRejected>(await rig.Client.SendAsync(FcmTestRig.Message(), CancellationToken.None));

        Assert.Equal(PushFailureReason.AuthenticationFailed, result.Reason);
        Assert.Equal(1, rig.Tokens.Refreshes);
        Assert.Equal(2, rig.Handler.Requests.Count);
    }

    [Fact]
    public async Task Third_party_auth_error_is_not_retried()
    {
        using var rig = new FcmTestRig(_ => RecordingHandler.Json(HttpStatusCode.Unauthorized,
            """{"error":{"code":401,"message":"x","status":"UNAUTHENTICATED","details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"THIRD_PARTY_AUTH_ERROR"}]}}"""));

        var result = Assert.IsType<PushRejected>(await rig.Client.SendAsync(FcmTestRig.Message(), CancellationToken.None));

        Assert.Equal(PushFailureReason.AuthenticationFailed, result.Reason);
        Assert.Equal(0, rig.Tokens.Refreshes);
        Assert.Single(rig.Handler.Requests);
    }

    [Fact]
    public async Task A_failed_connection_is_a_NetworkFailure_transport_exception()
    {
        using var rig = new FcmTestRig(_ => throw new HttpRequestException(HttpRequestError.ConnectionError, "reset"));

        var ex = await Assert.ThrowsAsync<PushTransportException>(() => rig.Client.SendAsync(FcmTestRig.Message(), CancellationToken.None));

        Assert.Equal(PushFailureReason.NetworkFailure, ex.Reason);
        Assert.Equal(PushProvider.Fcm, ex.Provider);
    }

    [Fact]
    public async Task Logs_never_hold_the_registration_token_or_access_token()
    {
        using var rig = new FcmTestRig(_ => RecordingHandler.Json(HttpStatusCode.NotFound,
            """{"error":{"code":404,"message":"x","status":"NOT_FOUND","details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"UNREGISTERED"}]}}"""));

        await rig.Client.SendAsync(FcmTestRig.Message(), CancellationToken.None);

        var logs = rig.Logs.AllText;
        Assert.Contains(TokenHash.Of(FcmTestRig.Message().Token), logs);
        Assert.DoesNotContain(FcmTestRig.Message().Token, logs);
        Assert.DoesNotContain(rig.Tokens.Current.AccessToken, logs);
    }
}
