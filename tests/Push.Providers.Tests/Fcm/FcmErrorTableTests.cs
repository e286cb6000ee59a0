using System.Net;
using Push.Providers.Fcm;
using Push.Providers.Results;
using Push.Providers.Tests.Support;

namespace Push.Providers.Tests.Fcm;

public sealed class FcmErrorTableTests
{
    // Google's error body as FCM HTTP v1 sends it (firebase.google.com/docs/reference/fcm/rest/v1/ErrorCode).
    private static string GoogleError(int code, string status, string message, string? errorCode) => errorCode is null
        ? "{\"error\":{\"code\":" + code + ",\"message\":\"" + message + "\",\"status\":\"" + status + "\"}}"
        : $$"""
          {
            "error": {
              "code": {{code}},
              "message": "{{message}}",
              "status": "{{status}}",
              "details": [
                {
                  "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                  "errorCode": "{{errorCode}}"
                },
                {
                  "@type": "type.googleapis.com/google.rpc.BadRequest",
                  "fieldViolations": [{ "field": "message.token", "description": "Invalid registration token" }]
                }
              ]
            }
          }
          """;

    public static TheoryData<int, string, string, string?, PushFailureReason, bool, bool> Bodies => new()
    {
        { 404, "NOT_FOUND", "Requested entity was not found.", "UNREGISTERED", PushFailureReason.Unregistered, true, false },
        { 400, "INVALID_ARGUMENT", "The registration token is not a valid FCM registration token", "INVALID_ARGUMENT", PushFailureReason.InvalidRequest, false, false },
        { 403, "PERMISSION_DENIED", "SenderId mismatch", "SENDER_ID_MISMATCH", PushFailureReason.SenderIdMismatch, false, false },
        { 429, "RESOURCE_EXHAUSTED", "Quota exceeded for quota metric", "QUOTA_EXCEEDED", PushFailureReason.TooManyRequests, false, true },
        { 503, "UNAVAILABLE", "The service is currently unavailable.", "UNAVAILABLE", PushFailureReason.ServiceUnavailable, false, true },
        { 500, "INTERNAL", "Internal error encountered.", "INTERNAL", PushFailureReason.InternalServerError, false, true },
        { 401, "UNAUTHENTICATED", "Auth error from APNS or Web Push Service", "THIRD_PARTY_AUTH_ERROR", PushFailureReason.AuthenticationFailed, false, false },
        { 400, "INVALID_ARGUMENT", "Unspecified error", "UNSPECIFIED_ERROR", PushFailureReason.Unknown, false, false },
        { 401, "UNAUTHENTICATED", "Request had invalid authentication credentials.", null, PushFailureReason.AuthenticationFailed, false, false },
        { 403, "PERMISSION_DENIED", "Permission 'cloudmessaging.messages.create' denied", null, PushFailureReason.Forbidden, false, false },
        { 404, "NOT_FOUND", "Requested entity was not found.", null, PushFailureReason.InvalidRequest, false, false },
        { 429, "RESOURCE_EXHAUSTED", "Quota exceeded", null, PushFailureReason.TooManyRequests, false, true },
        { 503, "UNAVAILABLE", "The service is currently unavailable.", null, PushFailureReason.ServiceUnavailable, false, true },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task Googles_error_body_maps(int code, string status, string message, string? errorCode, PushFailureReason expected, bool removesToken, bool transient)
    {
        using var rig = new FcmTestRig(_ => RecordingHandler.Json((HttpStatusCode)code, GoogleError(code, status, message, errorCode)));

        var result = Assert.IsType<PushRejected>(await rig.Client.SendAsync(FcmTestRig.Message(), CancellationToken.None));

        Assert.Equal(expected, result.Reason);
        Assert.Equal(code, result.HttpStatus);
        Assert.Equal(errorCode ?? status, result.ProviderReason);
        Assert.Equal(removesToken, result.RemovesToken);
        Assert.Equal(transient, result.IsTransient);
        Assert.Equal(removesToken ? rig.Time.GetUtcNow() : null, result.TokenInvalidSince);
    }

    [Fact]
    public void Every_FCM_error_code_is_in_the_table()
    {
        string[] documented = ["UNSPECIFIED_ERROR", "INVALID_ARGUMENT", "UNREGISTERED", "SENDER_ID_MISMATCH", "QUOTA_EXCEEDED", "UNAVAILABLE", "INTERNAL", "THIRD_PARTY_AUTH_ERROR"];
        Assert.Equal(documented.Order(), FcmErrorTable.ErrorCodes.Select(e => e.Code).Order());
    }

    [Fact]
    public async Task Quota_exceeded_without_Retry_After_waits_60_seconds()
    {
        using var rig = new FcmTestRig(_ => RecordingHandler.Json(HttpStatusCode.TooManyRequests, GoogleError(429, "RESOURCE_EXHAUSTED", "Quota", "QUOTA_EXCEEDED")));

        var result = Assert.IsType<PushRejected>(await rig.Client.SendAsync(FcmTestRig.Message(), CancellationToken.None));

        Assert.Equal(TimeSpan.FromSeconds(60), result.RetryAfter);
    }

    [Fact]
    public async Task Retry_After_from_FCM_wins()
    {
        using var rig = new FcmTestRig(_ => RecordingHandler.Json(HttpStatusCode.ServiceUnavailable, GoogleError(503, "UNAVAILABLE", "x", "UNAVAILABLE"),
            r => r.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(120))));

        var result = Assert.IsType<PushRejected>(await rig.Client.SendAsync(FcmTestRig.Message(), CancellationToken.None));

        Assert.Equal(TimeSpan.FromSeconds(120), result.RetryAfter);
    }

    [Fact]
    public async Task Retry_After_as_a_date_is_relative_to_now()
    {
        using var rig = new FcmTestRig(_ => RecordingHandler.Json(HttpStatusCode.TooManyRequests, GoogleError(429, "RESOURCE_EXHAUSTED", "x", "QUOTA_EXCEEDED")));
        var handlerAnswer = rig.Time.GetUtcNow().AddSeconds(90);
        using var dated = new FcmTestRig(_ => RecordingHandler.Json(HttpStatusCode.TooManyRequests, GoogleError(429, "RESOURCE_EXHAUSTED", "x", "QUOTA_EXCEEDED"),
            r => r.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(handlerAnswer)));

        var result = Assert.IsType<PushRejected>(await dated.Client.SendAsync(FcmTestRig.Message(), CancellationToken.None));

        Assert.Equal(TimeSpan.FromSeconds(90), result.RetryAfter);
    }
}
