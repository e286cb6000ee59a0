using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Push.Providers.Http;
using Push.Providers.Results;
using Push.Providers.Telemetry;

namespace Push.Providers.Fcm;

/// <summary>FCM HTTP v1 <c>messages:send</c> with OAuth2 service-account tokens.</summary>
public sealed partial class FcmClient : IFcmClient, IDisposable
{

    private readonly FcmOptions _options;
    private readonly IFcmAccessTokenSource _tokens;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly HttpMessageInvoker _invoker;
    private readonly Uri _sendUri;

    public FcmClient(IOptions<FcmOptions> options, IFcmAccessTokenSource tokens, TimeProvider timeProvider, ILogger<FcmClient> logger)
        : this(options.Value, ResolveProjectId(options.Value), tokens, timeProvider, logger, CreateHandler(options.Value))
    {
    }

    internal FcmClient(FcmOptions options, string projectId, IFcmAccessTokenSource tokens, TimeProvider timeProvider, ILogger logger, HttpMessageHandler handler)
    {
        _options = options;
        _tokens = tokens;
        _timeProvider = timeProvider;
        _logger = logger;
        ProjectId = projectId;
        _invoker = new HttpMessageInvoker(handler, disposeHandler: true);
        _sendUri = new Uri(options.Endpoint.AbsoluteUri.TrimEnd('/') + "/v1/projects/" + Uri.EscapeDataString(projectId) + "/messages:send");
    }

    public string ProjectId { get; }

    internal static string ResolveProjectId(FcmOptions options) =>
        !string.IsNullOrEmpty(options.ProjectId)
            ? options.ProjectId
            : FcmServiceAccount.Load(options.ServiceAccountPath).ProjectId!;

    internal static SocketsHttpHandler CreateHandler(FcmOptions options)
    {
        var handler = ProviderHttpHandlers.Create("Fcm", options.TrustedCaPath, options.Proxy, options.RequestTimeout);
        // FCM multiplexes well; more connections only when one fills up.
        handler.EnableMultipleHttp2Connections = true;
        handler.PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5);
        return handler;
    }

    public async Task<PushResult> SendAsync(FcmMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var activity = PushProvidersTelemetry.ActivitySource.StartActivity("fcm send", ActivityKind.Client);
        activity?.SetTag("push.provider", "fcm");
        activity?.SetTag("push.type", "data");
        activity?.SetTag("push.priority", message.Priority == FcmAndroidPriority.High ? "high" : "normal");
        var started = _timeProvider.GetTimestamp();
        var tokenHash = TokenHash.Of(message.Token);

        if (RefuseBeforeSending(message) is { } refused)
        {
            LogRefused(_logger, tokenHash, refused.Reason);
            PushProvidersTelemetry.Record(activity, "fcm", "refused", refused.Reason.ToString(), _timeProvider.GetElapsedTime(started));
            return refused;
        }

        var body = FcmMessageSerializer.Serialize(message);
        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var (accessToken, noToken) = await GetTokenAsync(ct => _tokens.GetAsync(ct), cancellationToken, linked.Token).ConfigureAwait(false);
            if (accessToken is null)
            {
                return NoToken(noToken!, tokenHash, activity, started);
            }
            var result = await SendOnceAsync(body, accessToken, linked.Token).ConfigureAwait(false);
            if (result is PushRejected { HttpStatus: 401 } unauthorized && unauthorized.ProviderReason != "THIRD_PARTY_AUTH_ERROR")
            {
                var (fresh, noFreshToken) = await GetTokenAsync(ct => _tokens.RefreshAfterRejectionAsync(accessToken, ct), cancellationToken, linked.Token)
                    .ConfigureAwait(false);
                if (fresh is null)
                {
                    return NoToken(noFreshToken!, tokenHash, activity, started);
                }
                if (fresh.AccessToken != accessToken.AccessToken)
                {
                    LogRetryWithFreshToken(_logger, tokenHash, TokenHash.Of(fresh.AccessToken));
                    result = await SendOnceAsync(body, fresh, linked.Token).ConfigureAwait(false);
                }
            }

            var elapsed = _timeProvider.GetElapsedTime(started);
            PushProvidersTelemetry.RecordAnswer(activity, "fcm", result, elapsed);
            if (result is PushAccepted accepted) LogAccepted(_logger, tokenHash, accepted.ProviderMessageId, elapsed.TotalMilliseconds);
            else if (result is PushRejected rejected) LogRejected(_logger, tokenHash, rejected.HttpStatus ?? 0, rejected.ProviderReason, rejected.Reason);
            return result;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            PushProvidersTelemetry.Record(activity, "fcm", "cancelled", null, _timeProvider.GetElapsedTime(started));
            throw;
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested)
        {
            LogTransportFailure(_logger, tokenHash, PushFailureReason.Timeout, ex.GetType().Name);
            PushProvidersTelemetry.Record(activity, "fcm", "timeout", nameof(PushFailureReason.Timeout), _timeProvider.GetElapsedTime(started));
            throw new PushTransportException(PushProvider.Fcm, PushFailureReason.Timeout,
                $"FCM did not answer within {_options.RequestTimeout.TotalSeconds:0.###} s (Fcm:RequestTimeout)", ex);
        }
        catch (Exception ex) when (UnansweredSend.IsNetworkFailure(ex))
        {
            var detail = UnansweredSend.Detail(ex);
            LogTransportFailure(_logger, tokenHash, PushFailureReason.NetworkFailure, detail);
            PushProvidersTelemetry.Record(activity, "fcm", "network-failure", nameof(PushFailureReason.NetworkFailure), _timeProvider.GetElapsedTime(started));
            throw new PushTransportException(PushProvider.Fcm, PushFailureReason.NetworkFailure,
                $"FCM request to {_options.Endpoint.Authority} failed without an answer ({detail})", ex);
        }
    }

    public void Dispose() => _invoker.Dispose();

    /// <summary>
    /// The access token, or why there is none. Whatever the token source throws (the token endpoint, its
    /// transport, the shared store) is classified here, so FCM's own transport errors below stay FCM's.
    /// </summary>
    private static async Task<(FcmAccessToken? Token, FcmAccessTokenFailure? Failure)> GetTokenAsync(
        Func<CancellationToken, ValueTask<FcmAccessToken>> get, CancellationToken caller, CancellationToken linked)
    {
        try
        {
            return (await get(linked).ConfigureAwait(false), null);
        }
        catch (Exception ex) when (!caller.IsCancellationRequested)
        {
            return (null, FcmAccessTokenFailure.Of(ex));
        }
    }

    /// <summary>FCM was never asked, so the result carries no HTTP status; its reason says outage or refusal.</summary>
    private PushRejected NoToken(FcmAccessTokenFailure failure, string tokenHash, Activity? activity, long started)
    {
        if (failure.IsRefusal)
        {
            LogTokenEndpointRefused(_logger, tokenHash, failure.Detail);
        }
        else
        {
            LogTokenEndpointUnavailable(_logger, tokenHash, failure.Detail);
        }
        PushProvidersTelemetry.Record(activity, "fcm", "no-access-token", failure.Reason.ToString(), _timeProvider.GetElapsedTime(started));
        return PushResult.Rejected(failure.Reason, httpStatus: null, providerReason: "oauth: " + failure.Detail);
    }

    private static PushRejected? RefuseBeforeSending(FcmMessage message)
    {
        if (string.IsNullOrWhiteSpace(message.Token))
        {
            return PushResult.Rejected(PushFailureReason.InvalidRequest, null, "registration token is empty");
        }
        var size = FcmMessage.DataSize(message.Data);
        if (size > FcmMessage.MaxDataBytes)
        {
            return PushResult.Rejected(PushFailureReason.PayloadTooLarge, null, $"data is {size} bytes, limit {FcmMessage.MaxDataBytes}");
        }
        return null;
    }

    private async Task<PushResult> SendOnceAsync(byte[] body, FcmAccessToken accessToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _sendUri)
        {
            // FCM speaks HTTP/2; a proxy or endpoint that only offers HTTP/1.1 still works.
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken.AccessToken);

        using var response = await _invoker.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        var responseBody = await ResponseBodies.ReadBoundedAsync(response.Content, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return PushResult.Accepted(ParseMessageName(responseBody) ?? "");
        }

        var (errorCode, errorStatus) = ParseErrorBody(responseBody);
        var reason = FcmErrorTable.Map(status, errorCode, errorStatus);
        var now = _timeProvider.GetUtcNow();
        var retryAfter = RetryAfter.From(response.Headers, now);
        if (retryAfter is null && FcmErrorTable.IsQuota(status, errorCode, errorStatus))
        {
            retryAfter = FcmErrorTable.DefaultQuotaRetryAfter;
        }
        return PushResult.Rejected(
            reason,
            status,
            errorCode ?? errorStatus,
            retryAfter,
            // FCM gives no timestamp: the token is known dead as of this answer.
            reason == PushFailureReason.Unregistered ? now : null);
    }

    internal static string? ParseMessageName(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String
                ? name.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    internal static (string? ErrorCode, string? Status) ParseErrorBody(byte[] body)
    {
        if (body.Length == 0)
        {
            return (null, null);
        }
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("error", out var error)
                || error.ValueKind != JsonValueKind.Object)
            {
                return (null, null);
            }
            string? status = error.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            string? errorCode = null;
            if (error.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Array)
            {
                foreach (var detail in details.EnumerateArray())
                {
                    if (detail.ValueKind == JsonValueKind.Object
                        && detail.TryGetProperty("@type", out var type) && type.ValueKind == JsonValueKind.String
                        && type.GetString() == "type.googleapis.com/google.firebase.fcm.v1.FcmError"
                        && detail.TryGetProperty("errorCode", out var code) && code.ValueKind == JsonValueKind.String)
                    {
                        errorCode = code.GetString();
                        break;
                    }
                }
            }
            return (errorCode, status);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

}
