using System.Net;
using Push.Providers.Apns;
using Push.Providers.Results;
using Push.Providers.Tests.Support;

namespace Push.Providers.Tests.Apns;

public sealed class ApnsRejectionTableTests
{
    // Apple's documented reasons ("Handling notification responses from APNs") with their statuses.
    public static TheoryData<string, int> AppleReasons => new()
    {
        { "BadCollapseId", 400 }, { "BadDeviceToken", 400 }, { "BadExpirationDate", 400 }, { "BadMessageId", 400 },
        { "BadPriority", 400 }, { "BadTopic", 400 }, { "DeviceTokenNotForTopic", 400 }, { "DuplicateHeaders", 400 },
        { "IdleTimeout", 400 }, { "InvalidPushType", 400 }, { "MissingDeviceToken", 400 }, { "MissingTopic", 400 },
        { "PayloadEmpty", 400 }, { "TopicDisallowed", 400 }, { "BadCertificate", 403 }, { "BadCertificateEnvironment", 403 },
        { "ExpiredProviderToken", 403 }, { "Forbidden", 403 }, { "InvalidProviderToken", 403 }, { "MissingProviderToken", 403 },
        { "UnrelatedKeyIdInToken", 403 }, { "BadPath", 404 }, { "MethodNotAllowed", 405 }, { "ExpiredToken", 410 },
        { "Unregistered", 410 }, { "PayloadTooLarge", 413 }, { "TooManyProviderTokenUpdates", 429 }, { "TooManyRequests", 429 },
        { "InternalServerError", 500 }, { "ServiceUnavailable", 503 }, { "Shutdown", 503 },
    };

    [Theory]
    [MemberData(nameof(AppleReasons))]
    public void Every_documented_reason_is_in_the_table_with_Apples_status(string reason, int status)
    {
        var row = ApnsRejectionTable.Find(reason);
        Assert.NotNull(row);
        Assert.Equal(status, row.HttpStatus);
        Assert.NotEqual(PushFailureReason.Unknown, row.Reason);
    }

    [Theory]
    [MemberData(nameof(AppleReasons))]
    public async Task Apples_error_body_maps_through_the_client(string reason, int status)
    {
        using var rig = new ApnsTestRig(_ => RecordingHandler.Json((HttpStatusCode)status, $$"""{"reason":"{{reason}}"}"""));
        if (reason == "ExpiredProviderToken")
        {
            rig.Time.Advance(TimeSpan.FromMinutes(1)); // within 20 min: no re-mint, so no retry
        }

        var result = Assert.IsType<PushRejected>(await rig.Client.SendAsync(ApnsTestRig.Alert(), CancellationToken.None));

        Assert.Equal(ApnsRejectionTable.Find(reason)!.Reason, result.Reason);
        Assert.Equal(status, result.HttpStatus);
        Assert.Equal(reason, result.ProviderReason);
        Assert.False(result.RejectedBeforeSending);
    }

    [Theory]
    [InlineData("Unregistered", true, false)]
    [InlineData("ExpiredToken", true, false)]
    [InlineData("BadDeviceToken", true, false)]
    [InlineData("DeviceTokenNotForTopic", true, false)]
    [InlineData("BadTopic", false, false)]
    [InlineData("PayloadTooLarge", false, false)]
    [InlineData("Forbidden", false, false)]
    [InlineData("InvalidProviderToken", false, false)]
    [InlineData("MissingDeviceToken", false, false)]
    [InlineData("ExpiredProviderToken", false, true)]
    [InlineData("TooManyProviderTokenUpdates", false, true)]
    [InlineData("TooManyRequests", false, true)]
    [InlineData("InternalServerError", false, true)]
    [InlineData("ServiceUnavailable", false, true)]
    [InlineData("Shutdown", false, true)]
    [InlineData("IdleTimeout", false, true)]
    public void Consequences_follow_PROTOCOLS(string reason, bool removesToken, bool transient)
    {
        var mapped = ApnsRejectionTable.Find(reason)!.Reason;
        Assert.Equal(removesToken, mapped.RemovesToken());
        Assert.Equal(transient, mapped.IsTransient());
    }

    [Fact]
    public async Task Gone_carries_the_timestamp_as_TokenInvalidSince()
    {
        using var rig = new ApnsTestRig(_ => RecordingHandler.Json(HttpStatusCode.Gone, """{"reason":"Unregistered","timestamp":1700000000000}"""));

        var result = Assert.IsType<PushRejected>(await rig.Client.SendAsync(ApnsTestRig.Alert(), CancellationToken.None));

        Assert.Equal(PushFailureReason.Unregistered, result.Reason);
        Assert.True(result.RemovesToken);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1700000000000), result.TokenInvalidSince);
    }

    [Fact]
    public async Task Retry_After_is_passed_on()
    {
        using var rig = new ApnsTestRig(_ => RecordingHandler.Json(HttpStatusCode.TooManyRequests, """{"reason":"TooManyRequests"}""",
            r => r.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(7))));

        var result = Assert.IsType<PushRejected>(await rig.Client.SendAsync(ApnsTestRig.Alert(), CancellationToken.None));

        Assert.Equal(PushFailureReason.TooManyRequests, result.Reason);
        Assert.Equal(TimeSpan.FromSeconds(7), result.RetryAfter);
        Assert.True(result.IsTransient);
    }

    [Fact]
    public async Task An_unknown_reason_is_Unknown_and_keeps_the_status()
    {
        using var rig = new ApnsTestRig(_ => RecordingHandler.Json(HttpStatusCode.BadRequest, """{"reason":"SomethingNew"}"""));

        var result = Assert.IsType<PushRejected>(await rig.Client.SendAsync(ApnsTestRig.Alert(), CancellationToken.None));

        Assert.Equal(PushFailureReason.Unknown, result.Reason);
        Assert.Equal(400, result.HttpStatus);
        Assert.Equal("SomethingNew", result.ProviderReason);
        Assert.False(result.IsTransient);
    }

    [Theory]
    [InlineData(503, PushFailureReason.ServiceUnavailable)]
    [InlineData(502, PushFailureReason.ServiceUnavailable)]
    [InlineData(500, PushFailureReason.InternalServerError)]
    [InlineData(400, PushFailureReason.Unknown)]
    public async Task A_body_without_reason_falls_back_to_the_status(int status, PushFailureReason expected)
    {
        using var rig = new ApnsTestRig(_ => new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent("<html>oops</html>") });

        var result = Assert.IsType<PushRejected>(await rig.Client.SendAsync(ApnsTestRig.Alert(), CancellationToken.None));

        Assert.Equal(expected, result.Reason);
        Assert.Null(result.ProviderReason);
    }
}
