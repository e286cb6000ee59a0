using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Push.Providers.Http;
using Push.Providers.Results;
using Push.Providers.Telemetry;

namespace Push.Providers.Apns;

/// <summary>
/// APNs over HTTP/2 + TLS with token authentication. Keeps <see cref="ApnsOptions.Connections"/>
/// long-lived connections and sends each push on the least-loaded one.
/// </summary>
public sealed partial class ApnsClient : IApnsClient, IDisposable
{
    private const int MaxCollapseIdBytes = 64;

    private readonly ApnsOptions _options;
    private readonly IApnsProviderTokenSource _tokens;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ApnsConnection[] _connections;
    private readonly string _devicePathPrefix;
    private int _roundRobin;

    public ApnsClient(IOptions<ApnsOptions> options, IApnsProviderTokenSource tokens, TimeProvider timeProvider, ILogger<ApnsClient> logger)
        : this(options.Value, tokens, timeProvider, logger, () => CreateHandler(options.Value))
    {
    }

    /// <summary>For tests: every connection gets a handler from <paramref name="handlerFactory"/>.</summary>
    internal ApnsClient(ApnsOptions options, IApnsProviderTokenSource tokens, TimeProvider timeProvider, ILogger logger, Func<HttpMessageHandler> handlerFactory)
    {
        _options = options;
        _tokens = tokens;
        _timeProvider = timeProvider;
        _logger = logger;
        _devicePathPrefix = options.Endpoint.AbsoluteUri.TrimEnd('/') + "/3/device/";
        _connections = new ApnsConnection[Math.Max(1, options.Connections)];
        for (var i = 0; i < _connections.Length; i++)
        {
            _connections[i] = new ApnsConnection(i, handlerFactory(), options.MaxConcurrentStreamsPerConnection);
        }
    }

    /// <summary>The handler for one APNs connection: HTTP/2 only, one connection, pinged while idle.</summary>
    internal static SocketsHttpHandler CreateHandler(ApnsOptions options)
    {
        var handler = ProviderHttpHandlers.Create("Apns", options.TrustedCaPath, options.Proxy, options.RequestTimeout);
        // One handler is one TCP connection; parallelism comes from Connections, each capped separately.
        handler.EnableMultipleHttp2Connections = false;
        handler.KeepAlivePingDelay = options.KeepAlivePingDelay;
        handler.KeepAlivePingTimeout = options.KeepAlivePingTimeout;
        // Apple asks providers to keep connections open rather than reconnect per burst.
        handler.KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always;
        handler.PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan;
        handler.PooledConnectionLifetime = Timeout.InfiniteTimeSpan;
        return handler;
    }

    public async Task<PushResult> SendAsync(ApnsNotification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        using var activity = PushProvidersTelemetry.ActivitySource.StartActivity("apns send", ActivityKind.Client);
        activity?.SetTag("push.provider", "apns");
        activity?.SetTag("push.type", PushTypeHeader(notification.PushType));
        activity?.SetTag("push.priority", notification.Priority);
        var started = _timeProvider.GetTimestamp();
        var tokenHash = TokenHash.Of(notification.DeviceToken);

        if (RefuseBeforeSending(notification) is { } refused)
        {
            LogRefused(_logger, tokenHash, notification.ApnsId, refused.Reason);
            PushProvidersTelemetry.Record(activity, "apns", "refused", refused.Reason.ToString(), _timeProvider.GetElapsedTime(started));
            return refused;
        }

        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var connection = PickConnection();
        try
        {
            PushResult result;
            using (await connection.AcquireAsync(linked.Token).ConfigureAwait(false))
            {
                var providerToken = await _tokens.GetAsync(linked.Token).ConfigureAwait(false);
                result = await SendOnceAsync(connection, notification, providerToken, linked.Token).ConfigureAwait(false);
                if (result is PushRejected { Reason: PushFailureReason.ExpiredProviderToken })
                {
                    var fresh = await _tokens.RefreshAfterRejectionAsync(providerToken, linked.Token).ConfigureAwait(false);
                    if (fresh.Jwt != providerToken.Jwt)
                    {
                        // Same apns-id on purpose: APNs and the ledger see a resend, not a second push.
                        LogRetryWithFreshToken(_logger, tokenHash, notification.ApnsId, TokenHash.Of(fresh.Jwt));
                        result = await SendOnceAsync(connection, notification, fresh, linked.Token).ConfigureAwait(false);
                    }
                }
            }

            var elapsed = _timeProvider.GetElapsedTime(started);
            PushProvidersTelemetry.RecordAnswer(activity, "apns", result, elapsed);
            if (result is PushAccepted accepted) LogAccepted(_logger, tokenHash, accepted.ProviderMessageId, elapsed.TotalMilliseconds);
            else if (result is PushRejected rejected) LogRejected(_logger, tokenHash, notification.ApnsId, rejected.HttpStatus ?? 0, rejected.ProviderReason, rejected.Reason);
            return result;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            PushProvidersTelemetry.Record(activity, "apns", "cancelled", null, _timeProvider.GetElapsedTime(started));
            throw;
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested)
        {
            LogTransportFailure(_logger, tokenHash, notification.ApnsId, PushFailureReason.Timeout, connection.Index, ex.GetType().Name);
            PushProvidersTelemetry.Record(activity, "apns", "timeout", nameof(PushFailureReason.Timeout), _timeProvider.GetElapsedTime(started));
            throw new PushTransportException(PushProvider.Apns, PushFailureReason.Timeout,
                $"APNs did not answer within {_options.RequestTimeout.TotalSeconds:0.###} s (Apns:RequestTimeout)", ex);
        }
        catch (Exception ex) when (UnansweredSend.IsNetworkFailure(ex))
        {
            var detail = UnansweredSend.Detail(ex);
            LogTransportFailure(_logger, tokenHash, notification.ApnsId, PushFailureReason.NetworkFailure, connection.Index, detail);
            PushProvidersTelemetry.Record(activity, "apns", "network-failure", nameof(PushFailureReason.NetworkFailure), _timeProvider.GetElapsedTime(started));
            throw new PushTransportException(PushProvider.Apns, PushFailureReason.NetworkFailure,
                $"APNs request to {_options.Endpoint.Authority} failed without an answer ({detail})", ex);
        }
    }

    public void Dispose()
    {
        foreach (var connection in _connections)
        {
            connection.Dispose();
        }
    }

    private ApnsConnection PickConnection()
    {
        if (_connections.Length == 1)
        {
            return _connections[0];
        }
        // Start the scan at a rotating index so equal loads spread across connections.
        var start = (int)((uint)Interlocked.Increment(ref _roundRobin) % (uint)_connections.Length);
        var best = _connections[start];
        for (var i = 1; i < _connections.Length; i++)
        {
            var candidate = _connections[(start + i) % _connections.Length];
            if (candidate.Load < best.Load)
            {
                best = candidate;
            }
        }
        return best;
    }

    private static PushRejected? RefuseBeforeSending(ApnsNotification n)
    {
        if (string.IsNullOrEmpty(n.DeviceToken) || n.DeviceToken.Length > 200 || !n.DeviceToken.All(char.IsAsciiHexDigit))
        {
            return PushResult.Rejected(PushFailureReason.BadDeviceToken, httpStatus: null, providerReason: "device token is not hex");
        }
        if (string.IsNullOrWhiteSpace(n.Topic))
        {
            return PushResult.Rejected(PushFailureReason.MissingTopic, null, "apns-topic is empty");
        }
        if (n.Payload.IsEmpty)
        {
            return PushResult.Rejected(PushFailureReason.PayloadEmpty, null, "payload is empty");
        }
        if (n.Payload.Length > ApnsNotification.MaxPayloadBytes(n.PushType))
        {
            return PushResult.Rejected(PushFailureReason.PayloadTooLarge, null,
                $"payload is {n.Payload.Length} bytes, limit {ApnsNotification.MaxPayloadBytes(n.PushType)}");
        }
        if (n.CollapseId is not null && Encoding.UTF8.GetByteCount(n.CollapseId) > MaxCollapseIdBytes)
        {
            return PushResult.Rejected(PushFailureReason.BadCollapseId, null, "apns-collapse-id is over 64 bytes");
        }
        if (n.Priority is not (5 or 10) || (n.PushType == ApnsPushType.Background && n.Priority != 5))
        {
            return PushResult.Rejected(PushFailureReason.BadPriority, null, "apns-priority must be 10 or 5 (5 for background)");
        }
        return null;
    }

    private async Task<PushResult> SendOnceAsync(ApnsConnection connection, ApnsNotification n, ApnsProviderToken providerToken, CancellationToken cancellationToken)
    {
        var apnsId = n.ApnsId.ToString("D");
        using var request = new HttpRequestMessage(HttpMethod.Post, _devicePathPrefix + n.DeviceToken)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ReadOnlyMemoryContent(n.Payload),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var headers = request.Headers;
        headers.Authorization = new AuthenticationHeaderValue("bearer", providerToken.Jwt);
        headers.TryAddWithoutValidation("apns-push-type", PushTypeHeader(n.PushType));
        headers.TryAddWithoutValidation("apns-topic", n.Topic);
        headers.TryAddWithoutValidation("apns-priority", n.Priority == 10 ? "10" : "5");
        headers.TryAddWithoutValidation("apns-expiration",
            n.Expiration is { } expiration ? expiration.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) : "0");
        headers.TryAddWithoutValidation("apns-id", apnsId);
        if (!string.IsNullOrEmpty(n.CollapseId))
        {
            headers.TryAddWithoutValidation("apns-collapse-id", n.CollapseId);
        }

        using var response = await connection.Invoker.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            var echoed = response.Headers.TryGetValues("apns-id", out var values) ? values.FirstOrDefault() : null;
            return PushResult.Accepted(string.IsNullOrEmpty(echoed) ? apnsId : echoed);
        }

        var status = (int)response.StatusCode;
        var body = await ResponseBodies.ReadBoundedAsync(response.Content, cancellationToken).ConfigureAwait(false);
        var (appleReason, timestamp) = ParseErrorBody(body);
        var reason = ApnsRejectionTable.Map(status, appleReason);
        return PushResult.Rejected(
            reason,
            status,
            appleReason,
            RetryAfter.From(response.Headers, _timeProvider.GetUtcNow()),
            status == 410 || reason == PushFailureReason.Unregistered ? timestamp : null);
    }

    internal static (string? Reason, DateTimeOffset? Timestamp) ParseErrorBody(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return (null, null);
        }
        try
        {
            var reader = new Utf8JsonReader(body);
            string? reason = null;
            DateTimeOffset? timestamp = null;
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return (null, null);
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isReason = reader.ValueTextEquals("reason"u8);
                var isTimestamp = reader.ValueTextEquals("timestamp"u8);
                reader.Read();
                if (isReason && reader.TokenType == JsonTokenType.String)
                {
                    reason = reader.GetString();
                }
                else if (isTimestamp && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var ms))
                {
                    timestamp = DateTimeOffset.FromUnixTimeMilliseconds(ms);
                }
                else
                {
                    reader.Skip();
                }
            }
            return (reason, timestamp);
        }
        catch (Exception ex) when (ex is JsonException or ArgumentOutOfRangeException)
        {
            return (null, null);
        }
    }


    internal static string PushTypeHeader(ApnsPushType type) => type switch
    {
        ApnsPushType.Alert => "alert",
        ApnsPushType.Background => "background",
        ApnsPushType.Voip => "voip",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown push type"),
    };
}
