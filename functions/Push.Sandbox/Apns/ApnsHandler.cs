using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Push.Sandbox.Apns;

/// <summary>
/// POST /3/device/{token}: validates like APNs (in Apple's order: request line, provider token, headers,
/// payload), applies injected faults, and records what it accepted.
/// </summary>
internal sealed class ApnsHandler(SandboxState state, CancellationToken stopping)
{
    private const string DevicePathPrefix = "/3/device/";
    private const int MaxPayload = 4096;
    private const int MaxVoipPayload = 5120;
    private const int MaxCollapseIdBytes = 64;

    private static readonly HashSet<string> PushTypes = new(StringComparer.Ordinal)
    {
        "alert", "background", "location", "voip", "complication", "fileprovider", "mdm", "liveactivity", "pushtotalk", "controls", "widgets",
    };

    /// <summary>The topic suffixes Apple uses for push types that have their own topic.</summary>
    private static readonly Dictionary<string, string> TopicSuffixes = new(StringComparer.Ordinal)
    {
        ["voip"] = ".voip",
        ["complication"] = ".complication",
        ["fileprovider"] = ".pushkit.fileprovider",
        ["liveactivity"] = ".push-type.liveactivity",
        ["pushtotalk"] = ".voip-ptt",
        ["location"] = ".location-query",
    };

    private readonly ApnsProviderTokenVerifier _providerTokens = new(state.FindApnsKey, state.Time);

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var requestApnsId = request.Headers["apns-id"].ToString();
        var responseApnsId = Guid.TryParse(requestApnsId, out _) ? requestApnsId : Guid.NewGuid().ToString("D").ToUpperInvariant();
        context.Response.Headers["apns-id"] = responseApnsId;
        var receivedAt = state.Time.GetUtcNow();
        string? deviceToken = null;

        async Task RejectAsync(string reason, DateTimeOffset? timestamp = null, int? retryAfter = null, SandboxFaultKind? fault = null)
        {
            state.Record(new RecordedRequest("Apns", request.Method, request.Path.Value ?? "", deviceToken,
                requestApnsId.Length > 0 ? requestApnsId : null, ApnsReasons.StatusOf(reason), reason, fault, receivedAt));
            await WriteReasonAsync(context, reason, timestamp, retryAfter).ConfigureAwait(false);
        }

        // Request line.
        var path = request.Path.Value ?? "";
        if (!path.StartsWith(DevicePathPrefix, StringComparison.Ordinal) && path != "/3/device")
        {
            await RejectAsync(ApnsReasons.BadPath).ConfigureAwait(false);
            return;
        }
        if (!HttpMethods.IsPost(request.Method))
        {
            await RejectAsync(ApnsReasons.MethodNotAllowed).ConfigureAwait(false);
            return;
        }
        deviceToken = path.Length > DevicePathPrefix.Length ? path[DevicePathPrefix.Length..] : "";
        if (deviceToken.Length == 0)
        {
            await RejectAsync(ApnsReasons.MissingDeviceToken).ConfigureAwait(false);
            return;
        }
        if (deviceToken.Length != 64 || !deviceToken.All(char.IsAsciiHexDigit))
        {
            await RejectAsync(ApnsReasons.BadDeviceToken).ConfigureAwait(false);
            return;
        }

        foreach (var header in new[] { "authorization", "apns-id", "apns-topic", "apns-push-type", "apns-priority", "apns-expiration", "apns-collapse-id" })
        {
            if (request.Headers[header].Count > 1)
            {
                await RejectAsync(ApnsReasons.DuplicateHeaders).ConfigureAwait(false);
                return;
            }
        }

        // Provider token.
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.Length == 0)
        {
            await RejectAsync(ApnsReasons.MissingProviderToken).ConfigureAwait(false);
            return;
        }
        var (tokenReason, key, issuedAt) = _providerTokens.Check(authorization);
        if (tokenReason is not null)
        {
            await RejectAsync(tokenReason).ConfigureAwait(false);
            return;
        }

        // A token Apple has not seen for this team is an update, limited to one per 20 minutes.
        if (!state.TryAcceptProviderToken(key!.TeamId, key.KeyId, issuedAt))
        {
            await RejectAsync(ApnsReasons.TooManyProviderTokenUpdates).ConfigureAwait(false);
            return;
        }

        // Headers.
        var topic = request.Headers["apns-topic"].ToString();
        if (topic.Length == 0)
        {
            await RejectAsync(ApnsReasons.MissingTopic).ConfigureAwait(false);
            return;
        }
        if (topic.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            await RejectAsync(ApnsReasons.BadTopic).ConfigureAwait(false);
            return;
        }
        var pushType = request.Headers["apns-push-type"].ToString();
        if (pushType.Length > 0 && !PushTypes.Contains(pushType))
        {
            await RejectAsync(ApnsReasons.InvalidPushType).ConfigureAwait(false);
            return;
        }
        var topicReason = CheckTopic(topic, pushType, key);
        if (topicReason is not null)
        {
            await RejectAsync(topicReason).ConfigureAwait(false);
            return;
        }
        var priority = 10;
        var priorityText = request.Headers["apns-priority"].ToString();
        if (priorityText.Length > 0 && (!int.TryParse(priorityText, NumberStyles.None, CultureInfo.InvariantCulture, out priority) || priority is not (1 or 5 or 10)))
        {
            await RejectAsync(ApnsReasons.BadPriority).ConfigureAwait(false);
            return;
        }
        // Apple: background notifications must be sent with priority 5 (or 1); 10 is an error.
        if (pushType == "background" && priority == 10)
        {
            await RejectAsync(ApnsReasons.BadPriority).ConfigureAwait(false);
            return;
        }
        long expiration = 0;
        var expirationText = request.Headers["apns-expiration"].ToString();
        if (expirationText.Length > 0 && !long.TryParse(expirationText, NumberStyles.None, CultureInfo.InvariantCulture, out expiration))
        {
            await RejectAsync(ApnsReasons.BadExpirationDate).ConfigureAwait(false);
            return;
        }
        var collapseId = request.Headers["apns-collapse-id"].Count > 0 ? request.Headers["apns-collapse-id"].ToString() : null;
        if (collapseId is not null && Encoding.UTF8.GetByteCount(collapseId) > MaxCollapseIdBytes)
        {
            await RejectAsync(ApnsReasons.BadCollapseId).ConfigureAwait(false);
            return;
        }
        if (requestApnsId.Length > 0 && !IsCanonicalUuid(requestApnsId))
        {
            await RejectAsync(ApnsReasons.BadMessageId).ConfigureAwait(false);
            return;
        }

        // Payload.
        var limit = pushType == "voip" ? MaxVoipPayload : MaxPayload;
        var body = await ReadBodyAsync(request, limit + 1, context.RequestAborted).ConfigureAwait(false);
        if (body.Length == 0)
        {
            await RejectAsync(ApnsReasons.PayloadEmpty).ConfigureAwait(false);
            return;
        }
        if (body.Length > limit)
        {
            await RejectAsync(ApnsReasons.PayloadTooLarge).ConfigureAwait(false);
            return;
        }
        if (!IsJsonObject(body))
        {
            await RejectAsync(ApnsReasons.SandboxMalformedPayload).ConfigureAwait(false);
            return;
        }

        var fault = state.Faults.Take(SandboxProvider.Apns, deviceToken);
        SandboxFaultKind? delayed = null;
        if (fault is not null)
        {
            switch (fault.Kind)
            {
                case SandboxFaultKind.Delay:
                    if (!await FaultActions.DelayAsync(context, TimeSpan.FromMilliseconds(fault.DelayMs!.Value), state.Time, stopping).ConfigureAwait(false))
                    {
                        state.Record(new RecordedRequest("Apns", request.Method, path, deviceToken, NullIfEmpty(requestApnsId), 0, null, SandboxFaultKind.Delay, receivedAt));
                        return;
                    }
                    delayed = SandboxFaultKind.Delay;
                    break;
                case SandboxFaultKind.Reject:
                    var timestamp = ApnsReasons.HasTimestamp(fault.Reason!) ? fault.Timestamp ?? state.Time.GetUtcNow() : (DateTimeOffset?)null;
                    await RejectAsync(fault.Reason!, timestamp, fault.RetryAfterSeconds, SandboxFaultKind.Reject).ConfigureAwait(false);
                    return;
                case SandboxFaultKind.Hang:
                    state.Record(new RecordedRequest("Apns", request.Method, path, deviceToken, NullIfEmpty(requestApnsId), 0, null, SandboxFaultKind.Hang, receivedAt));
                    await FaultActions.HangAsync(context, stopping).ConfigureAwait(false);
                    return;
                default:
                    state.Record(new RecordedRequest("Apns", request.Method, path, deviceToken, NullIfEmpty(requestApnsId), 0, null, SandboxFaultKind.ResetConnection, receivedAt));
                    context.Abort();
                    return;
            }
        }

        var headers = request.Headers
            .Where(h => !string.Equals(h.Key, "authorization", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        state.Record(new RecordedApnsPush(deviceToken, pushType, topic, priority, expiration, collapseId, responseApnsId,
            key.TeamId, key.KeyId, body, receivedAt, headers));
        state.Record(new RecordedRequest("Apns", request.Method, path, deviceToken, NullIfEmpty(requestApnsId), 200, null, delayed, receivedAt));
        // The development environment also answers with apns-unique-id (a lowercase UUID for the delivery log).
        context.Response.Headers["apns-unique-id"] = Guid.NewGuid().ToString("D");
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    private static string? CheckTopic(string topic, string pushType, SandboxState.ApnsKey key)
    {
        // A topic with a push-type suffix belongs to that push type only, and that push type needs it.
        foreach (var (type, suffix) in TopicSuffixes)
        {
            if (topic.EndsWith(suffix, StringComparison.Ordinal))
            {
                var bundle = topic[..^suffix.Length];
                if (!key.BundleIds.Contains(bundle)) return ApnsReasons.TopicDisallowed;
                return pushType == type ? null : ApnsReasons.InvalidPushType;
            }
        }
        if (!key.BundleIds.Contains(topic)) return ApnsReasons.TopicDisallowed;
        return TopicSuffixes.ContainsKey(pushType) ? ApnsReasons.InvalidPushType : null;
    }

    /// <summary>Apple wants the 8-4-4-4-12 form of the UUID.</summary>
    private static bool IsCanonicalUuid(string value) =>
        value.Length == 36 && Guid.TryParseExact(value, "D", out _);

    private static bool IsJsonObject(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    internal static async Task<byte[]> ReadBodyAsync(HttpRequest request, int max, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
        {
            var keep = Math.Min(read, max - (int)buffer.Length);
            if (keep > 0) buffer.Write(chunk, 0, keep);
            // Keep draining past the limit so the client sees an answer, not a reset.
        }
        return buffer.ToArray();
    }

    private static async Task WriteReasonAsync(HttpContext context, string reason, DateTimeOffset? timestamp, int? retryAfter)
    {
        context.Response.StatusCode = ApnsReasons.StatusOf(reason);
        if (retryAfter is { } seconds) context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        context.Response.ContentType = "application/json";
        var json = timestamp is { } ts
            ? JsonSerializer.Serialize(new { reason, timestamp = ts.ToUnixTimeMilliseconds() })
            : JsonSerializer.Serialize(new { reason });
        await context.Response.WriteAsync(json, context.RequestAborted).ConfigureAwait(false);
    }
}
