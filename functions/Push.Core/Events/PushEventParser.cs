using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text.Unicode;
using Push.Core.Registry;

namespace Push.Core.Events;

/// <summary>
/// Reads and validates one CloudEvents 1.0 JSON event (structured mode) against the relay's contract
/// (docs/EVENTS.md, schemas/push-event.schema.json). Problems name the field and the rule, never the value.
/// </summary>
public static class PushEventParser
{
    /// <summary>
    /// The largest event accepted: 32 KiB. The biggest push a device can take is 5 KiB, so anything larger
    /// is a producer bug; the limit also stays well under a Storage queue message (64 KiB).
    /// </summary>
    public const int MaxEventBytes = 32 * 1024;

    public const string SpecVersion = "1.0";

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        MaxDepth = 16,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
    };

    public static EventParseResult Parse(ReadOnlyMemory<byte> utf8)
    {
        if (utf8.Length > MaxEventBytes)
        {
            return EventParseResult.Failure(new EventProblem(EventProblemCode.TooLarge, "",
                $"the event is larger than {MaxEventBytes} bytes"));
        }

        // JsonDocument checks the UTF-8 of the structure but not inside strings (GetString throws later): check it all here.
        if (!Utf8.IsValid(utf8.Span))
        {
            return EventParseResult.Failure(new EventProblem(EventProblemCode.MalformedJson, "", "the message is not valid UTF-8"));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, DocumentOptions);
        }
        catch (JsonException)
        {
            // The reader's message can quote the offending bytes: say only that it is not JSON.
            return EventParseResult.Failure(new EventProblem(EventProblemCode.MalformedJson, "", "the message is not valid JSON"));
        }

        using (document)
        {
            if (JsonDocumentCheck.FindProblem(document.RootElement) is { } structural)
            {
                return EventParseResult.Failure(structural);
            }
            try
            {
                return EventParseResult.Success(ReadEvent(document.RootElement));
            }
            catch (EventRejectedException rejected)
            {
                return EventParseResult.Failure(rejected.EventProblem);
            }
        }
    }

    private static PushEvent ReadEvent(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Reject(EventProblemCode.NotACloudEvent, "", "the event must be a JSON object");
        }
        if (!root.TryGetProperty("specversion", out var specVersion) || specVersion.ValueKind == JsonValueKind.Null)
        {
            throw Reject(EventProblemCode.NotACloudEvent, "specversion", "is required (CloudEvents 1.0)");
        }
        if (specVersion.ValueKind != JsonValueKind.String || specVersion.GetString() != SpecVersion)
        {
            throw Reject(EventProblemCode.UnsupportedSpecVersion, "specversion", "must be \"1.0\"");
        }

        var id = RequiredString(root, "id", "id", EventFieldPatterns.KeySafeIdentifierRegex(), KeySafeIdentifierRule);

        var type = RequiredString(root, "type", "type");
        if (!PushEventTypes.All.Contains(type))
        {
            throw Reject(EventProblemCode.UnknownType, "type", "is not an event type the relay knows");
        }

        var source = RequiredString(root, "source", "source", maxLength: 1024);
        var time = RequiredTime(root, "time", "time");
        var subject = RequiredString(root, "subject", "subject", EventFieldPatterns.SubjectRegex(),
            "must be 1 to 256 characters without '/', '\\', '#', '?', '%' or control characters");

        if (root.TryGetProperty("datacontenttype", out var contentType) &&
            (contentType.ValueKind != JsonValueKind.String || !EventFieldPatterns.JsonContentTypeRegex().IsMatch(contentType.GetString()!)))
        {
            throw Reject(EventProblemCode.InvalidField, "datacontenttype", "must be application/json when present");
        }

        var data = RequiredObject(root, "data", "data");
        PushEventData eventData = type switch
        {
            PushEventTypes.CallIncoming => ReadCallIncoming(data),
            PushEventTypes.CallEnded => ReadCallEnded(data),
            PushEventTypes.ImMessage => ReadImMessage(data),
            PushEventTypes.DeviceRegistered => ReadDeviceRegistered(data),
            PushEventTypes.DeviceUnregistered => new DeviceUnregisteredData(ReadDeviceId(data)),
            _ => throw new InvalidOperationException("unreachable: type checked above"),
        };
        return new PushEvent(id, type, source, time, subject, eventData);
    }

    private static CallIncomingData ReadCallIncoming(JsonElement data)
    {
        var callId = RequiredString(data, "callId", "data.callId", maxLength: 128);
        var caller = ReadParty(data, "caller", "data.caller");
        var media = RequiredEnum(data, "media", "data.media", [CallMedia.Audio, CallMedia.Video]);

        var ringTimeout = CallIncomingData.DefaultRingTimeoutSeconds;
        if (TryGetPresent(data, "ringTimeoutSeconds", out var ring))
        {
            ringTimeout = ReadInt(ring, "data.ringTimeoutSeconds", CallIncomingData.MinRingTimeoutSeconds, CallIncomingData.MaxRingTimeoutSeconds);
        }

        var activeNode = OptionalString(data, "activeNode", "data.activeNode", EventFieldPatterns.NodeAddressRegex(),
            "must be 1 to 253 characters without spaces (a host name, address or host:port)");

        List<string>? devices = null;
        if (TryGetPresent(data, "devices", out var deviceArray))
        {
            if (deviceArray.ValueKind != JsonValueKind.Array)
            {
                throw Reject(EventProblemCode.InvalidField, "data.devices", "must be an array of device ids");
            }
            var count = deviceArray.GetArrayLength();
            if (count is < 1 or > 100)
            {
                throw Reject(EventProblemCode.InvalidField, "data.devices", "must hold 1 to 100 device ids (leave it out to ring every device)");
            }
            devices = new List<string>(count);
            var index = 0;
            foreach (var item in deviceArray.EnumerateArray())
            {
                var path = $"data.devices[{index++}]";
                if (item.ValueKind != JsonValueKind.String || !EventFieldPatterns.KeySafeIdentifierRegex().IsMatch(item.GetString()!))
                {
                    throw Reject(EventProblemCode.InvalidField, path, "must be a device id: " + KeySafeIdentifierRule);
                }
                devices.Add(item.GetString()!);
            }
        }

        return new CallIncomingData(callId, caller, media, ringTimeout, activeNode, devices);
    }

    private static CallEndedData ReadCallEnded(JsonElement data)
    {
        var callId = RequiredString(data, "callId", "data.callId", maxLength: 128);
        var reason = RequiredEnum(data, "reason", "data.reason", CallEndReasons.All);
        var caller = ReadParty(data, "caller", "data.caller");
        return new CallEndedData(callId, reason, caller);
    }

    private static ImMessageData ReadImMessage(JsonElement data)
    {
        var conversationId = RequiredString(data, "conversationId", "data.conversationId", maxLength: 256);
        var messageId = RequiredString(data, "messageId", "data.messageId", maxLength: 256);
        var from = RequiredObject(data, "from", "data.from");
        var sender = new ImSender(
            OptionalString(from, "name", "data.from.name", maxLength: 256),
            RequiredString(from, "address", "data.from.address", maxLength: 256));
        var preview = RequiredString(data, "preview", "data.preview", minLength: 0, maxLength: int.MaxValue);
        if (!TryGetPresent(data, "unreadCount", out var unread))
        {
            throw Reject(EventProblemCode.MissingField, "data.unreadCount", "is required");
        }
        var unreadCount = ReadInt(unread, "data.unreadCount", 0, int.MaxValue);
        return new ImMessageData(conversationId, messageId, sender, preview, unreadCount);
    }

    private static DeviceRegisteredData ReadDeviceRegistered(JsonElement data)
    {
        var deviceId = ReadDeviceId(data);
        var platform = RequiredEnum(data, "platform", "data.platform", ["ios", "android"]) == "ios" ? DevicePlatform.Ios : DevicePlatform.Android;
        var appId = RequiredString(data, "appId", "data.appId", EventFieldPatterns.AppIdRegex(),
            "must be a bundle id or package name: letters, digits, '.', '_' or '-', at most 255");

        string pushToken;
        string? voipToken = null;
        if (platform == DevicePlatform.Ios)
        {
            pushToken = RequiredString(data, "pushToken", "data.pushToken", EventFieldPatterns.ApnsTokenRegex(), "must be an APNs device token: 64 hexadecimal digits");
            voipToken = OptionalString(data, "voipToken", "data.voipToken", EventFieldPatterns.ApnsTokenRegex(), "must be a PushKit token: 64 hexadecimal digits");
        }
        else
        {
            pushToken = RequiredString(data, "pushToken", "data.pushToken", EventFieldPatterns.FcmTokenRegex(), "must be an FCM registration token: 1 to 4096 characters without whitespace");
            if (TryGetPresent(data, "voipToken", out _))
            {
                throw Reject(EventProblemCode.InvalidField, "data.voipToken", "is for iOS only: leave it out for Android");
            }
        }

        var environment = RequiredEnum(data, "environment", "data.environment", ["production", "sandbox"]) == "production"
            ? PushEnvironment.Production
            : PushEnvironment.Sandbox;
        var region = OptionalString(data, "region", "data.region", EventFieldPatterns.RegionRegex(), "must be an ISO 3166 alpha-2 code in capitals, e.g. CN");

        var key = RequiredObject(data, "encryptionKey", "data.encryptionKey");
        var keyId = ReadIdentifier(key, "id", "data.encryptionKey.id");
        var keyText = RequiredString(key, "key", "data.encryptionKey.key", EventFieldPatterns.Key32Base64Regex(), "must be standard base64 (with padding) of exactly 32 bytes");
        var keyBytes = Convert.FromBase64String(keyText);

        return new DeviceRegisteredData(deviceId, platform, appId, pushToken, voipToken, environment, region, new DeviceEncryptionKey(keyId, keyBytes));
    }

    private static Party ReadParty(JsonElement parent, string name, string path)
    {
        var party = RequiredObject(parent, name, path);
        return new Party(
            OptionalString(party, "name", path + ".name", maxLength: 256),
            RequiredString(party, "number", path + ".number", maxLength: 64));
    }

    private const string KeySafeIdentifierRule = "must be 1 to 128 printable ASCII characters without spaces, '/', '\\', '#', '?' or '%'";

    private static string ReadIdentifier(JsonElement parent, string name, string path) =>
        RequiredString(parent, name, path, EventFieldPatterns.IdentifierRegex(), "must be 1 to 128 printable ASCII characters without spaces");

    // Device ids become registry and ledger row keys.
    private static string ReadDeviceId(JsonElement data) =>
        RequiredString(data, "deviceId", "data.deviceId", EventFieldPatterns.KeySafeIdentifierRegex(), KeySafeIdentifierRule);

    // Null counts as absent, for required and optional fields alike.
    private static bool TryGetPresent(JsonElement parent, string name, out JsonElement value) =>
        parent.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    private static JsonElement RequiredObject(JsonElement parent, string name, string path)
    {
        if (!TryGetPresent(parent, name, out var value))
        {
            throw Reject(EventProblemCode.MissingField, path, "is required");
        }
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Reject(EventProblemCode.InvalidField, path, "must be a JSON object");
        }
        return value;
    }

    private static string RequiredString(JsonElement parent, string name, string path, int minLength = 1, int maxLength = 1024)
    {
        if (!TryGetPresent(parent, name, out var value))
        {
            throw Reject(EventProblemCode.MissingField, path, "is required");
        }
        return CheckString(value, path, minLength, maxLength);
    }

    private static string RequiredString(JsonElement parent, string name, string path, Regex pattern, string rule)
    {
        if (!TryGetPresent(parent, name, out var value))
        {
            throw Reject(EventProblemCode.MissingField, path, "is required");
        }
        return CheckPattern(value, path, pattern, rule);
    }

    private static string? OptionalString(JsonElement parent, string name, string path, int maxLength) =>
        TryGetPresent(parent, name, out var value) ? CheckString(value, path, 0, maxLength) : null;

    private static string? OptionalString(JsonElement parent, string name, string path, Regex pattern, string rule) =>
        TryGetPresent(parent, name, out var value) ? CheckPattern(value, path, pattern, rule) : null;

    private static string CheckString(JsonElement value, string path, int minLength, int maxLength)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            throw Reject(EventProblemCode.InvalidField, path, "must be a string");
        }
        var text = value.GetString()!;
        if (text.Length < minLength)
        {
            throw Reject(EventProblemCode.InvalidField, path, "must not be empty");
        }
        if (text.Length > maxLength)
        {
            throw Reject(EventProblemCode.InvalidField, path, $"must be at most {maxLength} characters");
        }
        return text;
    }

    private static string CheckPattern(JsonElement value, string path, Regex pattern, string rule)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            throw Reject(EventProblemCode.InvalidField, path, "must be a string");
        }
        var text = value.GetString()!;
        if (!pattern.IsMatch(text))
        {
            throw Reject(EventProblemCode.InvalidField, path, rule);
        }
        return text;
    }

    private static string RequiredEnum(JsonElement parent, string name, string path, IReadOnlyList<string> allowed)
    {
        if (!TryGetPresent(parent, name, out var value))
        {
            throw Reject(EventProblemCode.MissingField, path, "is required");
        }
        var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : null;
        if (text is null || !allowed.Contains(text))
        {
            throw Reject(EventProblemCode.InvalidField, path, "must be one of: " + string.Join(", ", allowed));
        }
        return text;
    }

    private static int ReadInt(JsonElement value, string path, int min, int max)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number))
        {
            throw Reject(EventProblemCode.InvalidField, path, "must be an integer");
        }
        if (number < min || number > max)
        {
            throw Reject(EventProblemCode.InvalidField, path,
                string.Create(CultureInfo.InvariantCulture, $"must be between {min} and {max}"));
        }
        return number;
    }

    private static DateTimeOffset RequiredTime(JsonElement parent, string name, string path)
    {
        var text = RequiredString(parent, name, path, EventFieldPatterns.Rfc3339TimeRegex(),
            "must be an RFC 3339 date-time with an offset within ±14:00 in the years 1970 to 9998, e.g. 2026-01-31T12:00:00Z");
        // RFC 3339 allows lower-case 't' and 'z'; .NET's parser wants them upper-case.
        if (!DateTimeOffset.TryParse(text.ToUpperInvariant(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
        {
            throw Reject(EventProblemCode.InvalidField, path, "is not a real date and time");
        }
        return time;
    }

    private static EventRejectedException Reject(EventProblemCode code, string field, string problem) =>
        new(new EventProblem(code, field, problem));
}
