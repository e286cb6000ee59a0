using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Push.Sandbox.Apns;

namespace Push.Sandbox.Fcm;

/// <summary>
/// POST /v1/projects/{projectId}/messages:send: checks the bearer token, the project, then the message the
/// way FCM's v1 API does (proto3 JSON: both snake_case and lowerCamel names; unknown names refused), applies
/// injected faults, and records what it accepted.
/// </summary>
internal sealed partial class FcmHandler(SandboxState state, CancellationToken stopping)
{
    public const string MessagingScope = "https://www.googleapis.com/auth/firebase.messaging";
    public const string CloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";
    private const int MaxDataBytes = 4096;
    private const string InvalidCredentials =
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.";
    private const string MissingCredentials =
        "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.";

    private static readonly HashSet<string> RequestFields = ["message", "validate_only", "validateOnly"];
    private static readonly HashSet<string> MessageFields =
        ["name", "data", "notification", "android", "webpush", "apns", "fcm_options", "fcmOptions", "token", "topic", "condition"];
    private static readonly HashSet<string> AndroidFields =
    [
        "collapse_key", "collapseKey", "priority", "ttl", "restricted_package_name", "restrictedPackageName", "data",
        "notification", "fcm_options", "fcmOptions", "direct_boot_ok", "directBootOk", "bandwidth_constrained_ok",
        "bandwidthConstrainedOk", "restricted_satellite_ok", "restrictedSatelliteOk",
    ];

    /// <summary>Data keys FCM reserves (ErrorCode INVALID_ARGUMENT "Invalid data payload key").</summary>
    private static readonly HashSet<string> ReservedDataKeys = ["from", "notification", "message_type"];

    [GeneratedRegex("^/v1/projects/(?<project>[^/]+)/messages:send$")]
    private static partial Regex SendPath();

    [GeneratedRegex(@"^[0-9]+(\.[0-9]{1,9})?s$")]
    private static partial Regex DurationText();

    [GeneratedRegex("^[A-Za-z0-9_:\\-]{20,4096}$")]
    private static partial Regex RegistrationToken();

    public static bool Matches(string path) => SendPath().IsMatch(path);

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var receivedAt = state.Time.GetUtcNow();
        var path = request.Path.Value ?? "";
        var projectId = SendPath().Match(path).Groups["project"].Value;
        string? token = null;

        async Task FailAsync(int code, string status, string message, JsonArray? details, string reason, int? retryAfter = null, SandboxFaultKind? fault = null)
        {
            state.Record(new RecordedRequest("Fcm", request.Method, path, token, null, code, reason, fault, receivedAt));
            await WriteErrorAsync(context, code, status, message, details, retryAfter).ConfigureAwait(false);
        }

        if (!HttpMethods.IsPost(request.Method))
        {
            await FailAsync(405, "METHOD_NOT_ALLOWED", "Method not allowed.", null, "METHOD_NOT_ALLOWED").ConfigureAwait(false);
            return;
        }

        var authorization = request.Headers.Authorization.ToString();
        if (authorization.Length == 0)
        {
            await FailAsync(401, "UNAUTHENTICATED", MissingCredentials, ErrorInfo("CREDENTIALS_MISSING"), "UNAUTHENTICATED").ConfigureAwait(false);
            return;
        }
        var accessToken = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? state.FindAccessToken(authorization["Bearer ".Length..].Trim())
            : null;
        if (accessToken is null)
        {
            await FailAsync(401, "UNAUTHENTICATED", InvalidCredentials, ErrorInfo("ACCESS_TOKEN_TYPE_UNSUPPORTED"), "UNAUTHENTICATED").ConfigureAwait(false);
            return;
        }
        if (accessToken.ExpiresAt <= state.Time.GetUtcNow())
        {
            await FailAsync(401, "UNAUTHENTICATED", InvalidCredentials, ErrorInfo("ACCESS_TOKEN_EXPIRED"), "UNAUTHENTICATED").ConfigureAwait(false);
            return;
        }
        if (!accessToken.Scopes.Contains(MessagingScope) && !accessToken.Scopes.Contains(CloudPlatformScope))
        {
            await FailAsync(403, "PERMISSION_DENIED", "Request had insufficient authentication scopes.",
                ErrorInfo("ACCESS_TOKEN_SCOPE_INSUFFICIENT"), "PERMISSION_DENIED").ConfigureAwait(false);
            return;
        }
        if (!string.Equals(accessToken.ProjectId, projectId, StringComparison.Ordinal))
        {
            // Google answers a project the service account has no role on with IAM's denial, not an FcmError.
            await FailAsync(403, "PERMISSION_DENIED",
                $"Permission 'cloudmessaging.messages.create' denied on resource '//cloudresourcemanager.googleapis.com/projects/{projectId}' (or it may not exist).",
                ErrorInfo("IAM_PERMISSION_DENIED"), "PERMISSION_DENIED").ConfigureAwait(false);
            return;
        }

        var body = await ApnsHandler.ReadBodyAsync(request, 1 << 20, context.RequestAborted).ConfigureAwait(false);
        var rawBody = Encoding.UTF8.GetString(body);
        var parsed = Parse(body);
        token = parsed.Token;
        if (parsed.Error is { } error)
        {
            await FailAsync(400, "INVALID_ARGUMENT", error.Message, error.Details, FcmErrors.InvalidArgument).ConfigureAwait(false);
            return;
        }

        var fault = state.Faults.Take(SandboxProvider.Fcm, parsed.Token ?? "");
        SandboxFaultKind? delayed = null;
        if (fault is not null)
        {
            switch (fault.Kind)
            {
                case SandboxFaultKind.Delay:
                    if (!await FaultActions.DelayAsync(context, TimeSpan.FromMilliseconds(fault.DelayMs!.Value), state.Time, stopping).ConfigureAwait(false))
                    {
                        state.Record(new RecordedRequest("Fcm", request.Method, path, token, null, 0, null, SandboxFaultKind.Delay, receivedAt));
                        return;
                    }
                    delayed = SandboxFaultKind.Delay;
                    break;
                case SandboxFaultKind.Reject:
                    var (code, status, message) = FcmErrors.Lookup(fault.Reason!);
                    await FailAsync(code, status, message, FcmError(fault.Reason!), fault.Reason!, fault.RetryAfterSeconds, SandboxFaultKind.Reject).ConfigureAwait(false);
                    return;
                case SandboxFaultKind.Hang:
                    state.Record(new RecordedRequest("Fcm", request.Method, path, token, null, 0, null, SandboxFaultKind.Hang, receivedAt));
                    await FaultActions.HangAsync(context, stopping).ConfigureAwait(false);
                    return;
                default:
                    state.Record(new RecordedRequest("Fcm", request.Method, path, token, null, 0, null, SandboxFaultKind.ResetConnection, receivedAt));
                    context.Abort();
                    return;
            }
        }

        // validate_only: Google checks the message and answers with a fake name, delivering nothing.
        var name = parsed.ValidateOnly
            ? $"projects/{projectId}/messages/fake_message_id"
            : $"projects/{projectId}/messages/0:{receivedAt.ToUnixTimeMilliseconds()}{RandomNumberGenerator.GetInt32(1000):D3}%{RandomNumberGenerator.GetHexString(16, lowercase: true)}";
        if (!parsed.ValidateOnly)
        {
            state.Record(new RecordedFcmMessage(projectId, parsed.Token ?? "", parsed.Data, parsed.Priority, parsed.Ttl, parsed.CollapseKey,
                name, rawBody, receivedAt));
        }
        state.Record(new RecordedRequest("Fcm", request.Method, path, token, null, 200, null, delayed, receivedAt));
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json; charset=UTF-8";
        await context.Response.WriteAsync(new JsonObject { ["name"] = name }.ToJsonString(), context.RequestAborted).ConfigureAwait(false);
    }

    private sealed record ParseError(string Message, JsonArray Details);

    private sealed record ParsedMessage(
        string? Token, IReadOnlyDictionary<string, string> Data, string? Priority, string? Ttl, string? CollapseKey, bool ValidateOnly, ParseError? Error);

    private static ParsedMessage Parse(byte[] body)
    {
        var empty = new Dictionary<string, string>();
        ParsedMessage Fail(ParseError error, string? token = null) => new(token, empty, null, null, null, false, error);

        JsonNode? root;
        try
        {
            root = body.Length == 0 ? null : JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return Fail(FieldViolation(null, "Invalid JSON payload received. Unexpected token."));
        }
        if (root is not JsonObject request) return Fail(FieldViolation(null, "Invalid JSON payload received. Expected an object."));
        if (UnknownField(request, RequestFields) is { } unknownTop)
        {
            return Fail(FieldViolation(null, $"Invalid JSON payload received. Unknown name \"{unknownTop}\": Cannot find field."));
        }
        var validateOnly = (request["validate_only"] ?? request["validateOnly"]) is JsonValue v && v.TryGetValue<bool>(out var b) && b;
        if (request["message"] is not JsonObject message) return Fail(SemanticError("Request contains an invalid argument."));
        if (UnknownField(message, MessageFields) is { } unknownMessage)
        {
            return Fail(FieldViolation("message", $"Invalid JSON payload received. Unknown name \"{unknownMessage}\" at 'message': Cannot find field."));
        }

        var token = StringField(message, "token");
        var topic = StringField(message, "topic");
        var condition = StringField(message, "condition");
        var targets = new[] { token, topic, condition }.Count(t => t is not null);
        if (targets == 0) return Fail(SemanticError("Recipient of the message is not set."));
        if (targets > 1) return Fail(SemanticError("Exactly one of token, topic or condition must be specified."), token);
        if (token is not null && !RegistrationToken().IsMatch(token))
        {
            return Fail(SemanticError("The registration token is not a valid FCM registration token"), token);
        }
        var target = token ?? (topic is not null ? "/topics/" + topic : condition!);

        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        if (ReadData(message["data"], "message.data", data) is { } dataError) return Fail(dataError, token);

        string? priority = null, ttl = null, collapseKey = null;
        var androidData = new Dictionary<string, string>(StringComparer.Ordinal);
        if (message["android"] is { } androidNode)
        {
            if (androidNode is not JsonObject android)
            {
                return Fail(FieldViolation("message.android", "Invalid value at 'message.android' (type.googleapis.com/google.firebase.fcm.v1.AndroidConfig), expected an object."), token);
            }
            if (UnknownField(android, AndroidFields) is { } unknownAndroid)
            {
                return Fail(FieldViolation("message.android", $"Invalid JSON payload received. Unknown name \"{unknownAndroid}\" at 'message.android': Cannot find field."), token);
            }
            if (android["priority"] is { } priorityNode)
            {
                var text = priorityNode is JsonValue pv && pv.TryGetValue<string>(out var s) ? s : priorityNode.ToJsonString();
                if (!string.Equals(text, "high", StringComparison.OrdinalIgnoreCase) && !string.Equals(text, "normal", StringComparison.OrdinalIgnoreCase))
                {
                    return Fail(FieldViolation("message.android.priority",
                        $"Invalid value at 'message.android.priority' (type.googleapis.com/google.firebase.fcm.v1.AndroidConfig.AndroidMessagePriority), {priorityNode.ToJsonString()}"), token);
                }
                priority = text.ToLowerInvariant();
            }
            if (android["ttl"] is { } ttlNode)
            {
                var text = ttlNode is JsonValue tv && tv.TryGetValue<string>(out var s) ? s : null;
                if (text is null || !DurationText().IsMatch(text))
                {
                    return Fail(FieldViolation("message.android.ttl",
                        $"Invalid value at 'message.android.ttl' (type.googleapis.com/google.protobuf.Duration), {ttlNode.ToJsonString()}"), token);
                }
                ttl = text;
            }
            var collapseNode = android["collapse_key"] ?? android["collapseKey"];
            if (collapseNode is not null)
            {
                if (collapseNode is not JsonValue cv || !cv.TryGetValue<string>(out var ck))
                {
                    return Fail(FieldViolation("message.android.collapse_key",
                        $"Invalid value at 'message.android.collapse_key' (TYPE_STRING), {collapseNode.ToJsonString()}"), token);
                }
                collapseKey = ck;
            }
            if (ReadData(android["data"], "message.android.data", androidData) is { } androidDataError) return Fail(androidDataError, token);
        }

        var dataBytes = data.Concat(androidData).Sum(kv => Encoding.UTF8.GetByteCount(kv.Key) + Encoding.UTF8.GetByteCount(kv.Value));
        if (dataBytes > MaxDataBytes) return Fail(SemanticError("Message is too big"), token);

        return new ParsedMessage(target, data, priority, ttl, collapseKey, validateOnly, null);
    }

    private static ParseError? ReadData(JsonNode? node, string field, Dictionary<string, string> into)
    {
        if (node is null) return null;
        if (node is not JsonObject map)
        {
            return FieldViolation(field, $"Invalid value at '{field}' (type.googleapis.com/google.protobuf.Map), {node.ToJsonString()}");
        }
        var index = 0;
        foreach (var (key, value) in map)
        {
            if (value is not JsonValue jv || jv.GetValueKind() != JsonValueKind.String)
            {
                return FieldViolation($"{field}[{index}].value",
                    $"Invalid value at '{field}[{index}].value' (TYPE_STRING), {value?.ToJsonString() ?? "null"}");
            }
            if (ReservedDataKeys.Contains(key) || key.StartsWith("google.", StringComparison.Ordinal) || key.StartsWith("gcm.", StringComparison.Ordinal))
            {
                return SemanticError("Invalid data payload key: " + key);
            }
            into[key] = jv.GetValue<string>();
            index++;
        }
        return null;
    }

    private static string? UnknownField(JsonObject obj, HashSet<string> allowed) =>
        obj.Select(p => p.Key).FirstOrDefault(k => !allowed.Contains(k));

    private static string? StringField(JsonObject obj, string name) =>
        obj[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static ParseError SemanticError(string message) => new(message, FcmError(FcmErrors.InvalidArgument));

    private static ParseError FieldViolation(string? field, string description)
    {
        var violation = new JsonObject();
        if (field is not null) violation["field"] = field;
        violation["description"] = description;
        return new ParseError(description, [new JsonObject { ["@type"] = FcmErrors.BadRequestType, ["fieldViolations"] = new JsonArray(violation) }]);
    }

    private static JsonArray FcmError(string errorCode) =>
        [new JsonObject { ["@type"] = FcmErrors.FcmErrorType, ["errorCode"] = errorCode }];

    private static JsonArray ErrorInfo(string reason) =>
        [new JsonObject
        {
            ["@type"] = FcmErrors.ErrorInfoType,
            ["reason"] = reason,
            ["domain"] = "googleapis.com",
            ["metadata"] = new JsonObject { ["service"] = "fcm.googleapis.com", ["method"] = "google.firebase.fcm.v1.FcmService.SendMessage" },
        }];

    private static async Task WriteErrorAsync(HttpContext context, int code, string status, string message, JsonArray? details, int? retryAfter)
    {
        var error = new JsonObject { ["code"] = code, ["message"] = message, ["status"] = status };
        if (details is not null) error["details"] = details;
        context.Response.StatusCode = code;
        if (retryAfter is { } seconds) context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        if (code == 401) context.Response.Headers.WWWAuthenticate = "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"";
        context.Response.ContentType = "application/json; charset=UTF-8";
        await context.Response.WriteAsync(new JsonObject { ["error"] = error }.ToJsonString(), context.RequestAborted).ConfigureAwait(false);
    }
}
