using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Push.Testing.Fuzzing;

/// <summary>
/// Mutated producer events, reproducible from a seed: valid events of every type, then byte flips, truncation,
/// repeated member names, invalid UTF-8, unpaired surrogate escapes, control characters and <c>/ # ? %00</c> in
/// ids, huge strings, deep nesting, wrong types, missing fields, extreme numbers and times. Each event carries a
/// unique plaintext canary where personal data goes (caller name and number, sender, preview), so whoever drives
/// it can check that no reason, log or provider request repeats it.
/// </summary>
/// <remarks>
/// Self-contained (System.Text.Json only) so that an end-to-end suite can drive the whole relay with it:
/// <see cref="FuzzSettings"/> addresses the events to a user and devices the suite registered.
/// </remarks>
public static class EventFuzzer
{
    /// <summary>The event types, as <see cref="FuzzCase.BaseType"/> names them (the queue a case belongs on follows from it).</summary>
    public static IReadOnlyList<string> Types { get; } =
        ["push.call.incoming", "push.call.ended", "push.im.message", "push.device.registered", "push.device.unregistered"];

    /// <summary>The mutations, each with its weight out of the total.</summary>
    public static IReadOnlyList<(string Name, int Weight)> Mutations { get; } =
    [
        ("none", 10),
        ("byte-flip", 12),
        ("truncate", 6),
        ("duplicate-key", 10),
        ("invalid-utf8", 8),
        ("surrogate-escape", 4),
        ("raw-control-char", 3),
        ("key-unsafe-id", 14),
        ("escaped-control-text", 3),
        ("huge-string", 5),
        ("deep-nesting", 4),
        ("wrong-type", 9),
        ("remove-field", 4),
        ("extreme-number", 3),
        ("edge-time", 3),
        ("swap-type", 2),
    ];

    // What a key-safe id must not hold, and other shapes that are not ids.
    private static readonly string[] KeyUnsafe =
    [
        "/", "\\", "#", "?", "%", "%00", "%2F", "\r", "\n", "\r\n", "\t", "\0", "\u0001", "\u001f", "\u007f", "\u0085",
        "\u009f", " ", "\u00a0", "é", "用", "\U0001F600", "'", "\"", "..", "",
    ];

    private static readonly string[] EdgeTimes =
    [
        "0001-01-01T00:00:00Z", "1600-12-31T23:59:59Z", "1969-12-31T23:59:59Z", "1970-01-01T00:00:00Z", "9998-12-31T23:59:59-14:00",
        "9999-12-31T23:59:59Z", "2026-02-29T12:00:00Z", "2028-02-29T12:00:00Z", "2026-03-01T12:00:00+14:00", "2026-03-01T12:00:00-23:59",
        "2026-03-01T12:00:00.12345678Z", "2026-03-01T24:00:00Z", "2026-03-01 12:00:00Z", "2026-03-01T12:00:00", "1e9", "",
    ];

    private static readonly string[] ExtremeNumbers =
    [
        "0", "-1", "1", "300", "301", "2147483647", "2147483648", "-2147483649", "1.5", "1e2", "1E400", "-0", "0.0",
        "123456789012345678901234567890", "1e-400",
    ];

    public static IEnumerable<FuzzCase> Generate(int seed, int count, FuzzSettings? settings = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        settings ??= new FuzzSettings();
        var random = new Random(seed);
        var totalWeight = Mutations.Sum(m => m.Weight);
        for (var index = 0; index < count; index++)
        {
            var canary = string.Create(CultureInfo.InvariantCulture, $"Canary {seed:x}-{index:x5} Quixote");
            var type = Types[random.Next(Types.Count)];
            var secrets = new List<string> { canary };
            var document = Base(random, type, canary, settings, secrets);
            var pick = random.Next(totalWeight);
            var mutation = Mutations.First(m => (pick -= m.Weight) < 0).Name;
            var body = Mutate(random, mutation, document, secrets);
            yield return new FuzzCase(index, mutation, type, body, canary, secrets);
        }
    }

    private static JsonObject Base(Random random, string type, string canary, FuzzSettings settings, List<string> secrets)
    {
        var data = type switch
        {
            "push.call.incoming" => CallIncoming(random, canary, settings),
            "push.call.ended" => new JsonObject
            {
                ["callId"] = "call-" + random.Next(1000),
                ["reason"] = Pick(random, "answered-elsewhere", "cancelled", "missed"),
                ["caller"] = Party(random, canary),
            },
            "push.im.message" => new JsonObject
            {
                ["conversationId"] = "conv-" + random.Next(1000),
                ["messageId"] = "msg-" + random.Next(100_000),
                ["from"] = new JsonObject { ["name"] = canary, ["address"] = canary.Replace(' ', '.') + "@example.com" },
                ["preview"] = Pick(random, "Lunch at noon? ", "Zoë sagt: Grüße 😀 ", "") + canary,
                ["unreadCount"] = random.Next(0, 50),
            },
            "push.device.registered" => Registration(random, settings, secrets),
            _ => new JsonObject { ["deviceId"] = Pick(random, [.. settings.DeviceIds]) },
        };
        if (type is "push.device.registered" or "push.device.unregistered")
        {
            // Registry events carry no personal text of their own: an ignored field holds the canary.
            data["note"] = canary;
        }
        var evt = new JsonObject
        {
            ["specversion"] = "1.0",
            ["id"] = new Guid(RandomBytes(random, 16)).ToString(),
            ["type"] = type,
            ["source"] = "/fuzz/producer-" + random.Next(10),
            ["time"] = (settings.Time + TimeSpan.FromMilliseconds(random.Next(0, 1000))).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
            ["subject"] = settings.Subject,
            ["data"] = data,
        };
        if (random.Next(3) == 0) evt["datacontenttype"] = "application/json";
        if (random.Next(4) == 0) evt["traceparent"] = "00-" + Convert.ToHexStringLower(RandomBytes(random, 16)) + "-" + Convert.ToHexStringLower(RandomBytes(random, 8)) + "-01";
        return evt;
    }

    private static JsonObject CallIncoming(Random random, string canary, FuzzSettings settings)
    {
        var data = new JsonObject
        {
            ["callId"] = "call-" + random.Next(1000),
            ["caller"] = Party(random, canary),
            ["media"] = Pick(random, "audio", "video"),
        };
        if (random.Next(2) == 0) data["ringTimeoutSeconds"] = random.Next(1, 301);
        if (random.Next(2) == 0) data["activeNode"] = "cucm-sub" + random.Next(9) + ".example.com";
        if (random.Next(4) == 0) data["devices"] = new JsonArray([.. settings.DeviceIds.Take(random.Next(1, settings.DeviceIds.Count + 1)).Select(d => (JsonNode)d!)]);
        return data;
    }

    private static JsonObject Party(Random random, string canary) => new()
    {
        ["name"] = canary,
        ["number"] = "+1555" + random.Next(1_000_000, 9_999_999).ToString(CultureInfo.InvariantCulture) + " " + canary[^12..],
    };

    private static JsonObject Registration(Random random, FuzzSettings settings, List<string> secrets)
    {
        var ios = random.Next(2) == 0;
        var key = Convert.ToBase64String(RandomBytes(random, 32));
        var pushToken = ios ? Convert.ToHexStringLower(RandomBytes(random, 32)) : "fuzz" + Convert.ToHexStringLower(RandomBytes(random, 20)) + ":APA91b" + Convert.ToHexStringLower(RandomBytes(random, 40));
        secrets.Add(key);
        secrets.Add(pushToken);
        var data = new JsonObject
        {
            ["deviceId"] = Pick(random, [.. settings.DeviceIds]),
            ["platform"] = ios ? "ios" : "android",
            ["appId"] = "com.example.fuzz",
            ["pushToken"] = pushToken,
            ["environment"] = Pick(random, "production", "sandbox"),
            ["encryptionKey"] = new JsonObject { ["id"] = "k" + random.Next(100), ["key"] = key },
        };
        if (ios && random.Next(3) > 0)
        {
            var voip = Convert.ToHexStringLower(RandomBytes(random, 32));
            secrets.Add(voip);
            data["voipToken"] = voip;
        }
        if (ios && random.Next(4) == 0) data["region"] = "CN";
        return data;
    }

    private static byte[] Mutate(Random random, string mutation, JsonObject document, List<string> secrets)
    {
        var splices = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        switch (mutation)
        {
            case "none":
                break;
            case "byte-flip":
            {
                var bytes = Serialize(random, document, splices);
                for (var flips = random.Next(1, 5); flips > 0; flips--)
                {
                    bytes[random.Next(bytes.Length)] ^= (byte)random.Next(1, 256);
                }
                return bytes;
            }
            case "truncate":
            {
                var bytes = Serialize(random, document, splices);
                return bytes[..random.Next(bytes.Length)];
            }
            case "duplicate-key":
            {
                var (parent, name) = PickMember(random, document);
                var placeholder = Placeholder(splices, Encoding.UTF8.GetBytes(JsonSerializer.Serialize(name)));
                // The repeat says something else as often as not: the case a second "type" once exploited.
                parent[placeholder[1..^1]] = random.Next(2) == 0 ? parent[name]?.DeepClone() : OtherValue(random, parent[name]);
                if (name == "type") parent[placeholder[1..^1]] = Pick(random, [.. Types]);
                break;
            }
            case "invalid-utf8":
                SetRandomString(random, document, s => Insert(random, s, Placeholder(splices, Pick<byte[]>(random,
                    [[0x80], [0xFF], [0xC3], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF0, 0x9F, 0x98], [0xFE, 0xFE]]))[1..^1]));
                break;
            case "surrogate-escape":
                SetRandomString(random, document, s => Insert(random, s, Placeholder(splices, Encoding.ASCII.GetBytes(Pick(random, "\\ud800", "\\udfff", "\\ud83d", "\\ude00\\ud83d")))[1..^1]));
                break;
            case "raw-control-char":
                SetRandomString(random, document, s => Insert(random, s, Placeholder(splices, [(byte)random.Next(0, 0x20)])[1..^1]));
                break;
            case "key-unsafe-id":
                SetKeyId(random, document, value => Insert(random, value, Pick(random, KeyUnsafe)));
                break;
            case "escaped-control-text":
                SetRandomString(random, document, s => Insert(random, s, ((char)random.Next(0, 0x20)).ToString() + (char)random.Next(0x7F, 0xA0)));
                break;
            case "huge-string":
            {
                var unit = Pick(random, "x", "é", "用", "😀", "\\", "\"", "\u0001");
                SetRandomString(random, document, s => s + string.Concat(Enumerable.Repeat(unit, random.Next(200, 40_000))));
                break;
            }
            case "deep-nesting":
            {
                JsonNode nested = random.Next(2) == 0 ? JsonValue.Create(1) : new JsonObject();
                for (var depth = random.Next(5, 40); depth > 0; depth--)
                {
                    nested = random.Next(2) == 0 ? new JsonArray(nested) : new JsonObject { ["n"] = nested };
                }
                var target = random.Next(2) == 0 ? document : document["data"] as JsonObject ?? document;
                target["deep"] = nested;
                break;
            }
            case "wrong-type":
            {
                var (parent, name) = PickMember(random, document);
                parent[name] = OtherValue(random, parent[name]);
                break;
            }
            case "remove-field":
            {
                var (parent, name) = PickMember(random, document);
                parent.Remove(name);
                break;
            }
            case "extreme-number":
            {
                // A number written as text no JsonNode would produce (1E400, -0, 2^31), where a number or a string belongs.
                var data = document["data"] as JsonObject ?? document;
                var targets = new List<(JsonObject Parent, string Name)> { (document, "specversion") };
                foreach (var name in new[] { "ringTimeoutSeconds", "unreadCount", "callId" })
                {
                    // The numbers the contract has, twice as often as a number where a string belongs.
                    if (data.ContainsKey(name) || (name == "ringTimeoutSeconds" && (string?)document["type"] == "push.call.incoming"))
                    {
                        targets.AddRange(name == "callId" ? [(data, name)] : [(data, name), (data, name)]);
                    }
                }
                var (parent, member) = targets[random.Next(targets.Count)];
                parent[member] = Placeholder(splices, Encoding.ASCII.GetBytes(Pick(random, ExtremeNumbers)))[1..^1];
                break;
            }
            case "edge-time":
                document["time"] = Pick(random, EdgeTimes);
                break;
            case "swap-type":
                document["type"] = Pick(random, [.. Types, "push.call.ringing", "PUSH.IM.MESSAGE", ""]);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(mutation), mutation, "unknown mutation");
        }
        return Serialize(random, document, splices);
    }

    private static byte[] Serialize(Random random, JsonObject document, Dictionary<string, byte[]> splices)
    {
        // Both ways producers write: everything non-ASCII escaped, or raw UTF-8.
        var options = new JsonSerializerOptions
        {
            Encoder = random.Next(2) == 0 ? JavaScriptEncoder.Default : JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        var bytes = Encoding.UTF8.GetBytes(document.ToJsonString(options));
        foreach (var (placeholder, replacement) in splices)
        {
            bytes = Replace(bytes, Encoding.ASCII.GetBytes(placeholder), replacement);
        }
        return bytes;
    }

    /// <summary>A unique quoted ASCII token to put in the tree now and swap for raw bytes once serialised.</summary>
    private static string Placeholder(Dictionary<string, byte[]> splices, byte[] replacement)
    {
        var placeholder = "\"__splice" + splices.Count.ToString(CultureInfo.InvariantCulture) + "__\"";
        splices[placeholder] = replacement;
        return placeholder;
    }

    private static byte[] Replace(byte[] bytes, byte[] find, byte[] replacement)
    {
        // The placeholder sits inside a string (quotes included in find only when it is a whole string).
        var at = bytes.AsSpan().IndexOf(find);
        if (at < 0)
        {
            var inner = find[1..^1];
            at = bytes.AsSpan().IndexOf(inner);
            if (at < 0) return bytes;
            return [.. bytes[..at], .. replacement, .. bytes[(at + inner.Length)..]];
        }
        return [.. bytes[..at], .. replacement, .. bytes[(at + find.Length)..]];
    }

    private static (JsonObject Parent, string Name) PickMember(Random random, JsonObject document)
    {
        var objects = new List<JsonObject>();
        Collect(document, objects);
        var withMembers = objects.Where(o => o.Count > 0).ToList();
        var parent = withMembers[random.Next(withMembers.Count)];
        return (parent, parent.ElementAt(random.Next(parent.Count)).Key);
    }

    private static void Collect(JsonNode? node, List<JsonObject> objects)
    {
        switch (node)
        {
            case JsonObject obj:
                objects.Add(obj);
                foreach (var (_, value) in obj) Collect(value, objects);
                break;
            case JsonArray array:
                foreach (var item in array) Collect(item, objects);
                break;
        }
    }

    private static void SetRandomString(Random random, JsonObject document, Func<string, string> change)
    {
        var strings = new List<(JsonNode Parent, object Key, string Value)>();
        CollectStrings(document, strings);
        var (parent, key, value) = strings[random.Next(strings.Count)];
        Set(parent, key, change(value));
    }

    private static void CollectStrings(JsonNode? node, List<(JsonNode, object, string)> strings)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj)
                {
                    if (value is JsonValue v && v.TryGetValue<string>(out var text)) strings.Add((obj, name, text));
                    else CollectStrings(value, strings);
                }
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonValue v && v.TryGetValue<string>(out var text)) strings.Add((array, i, text));
                    else CollectStrings(array[i], strings);
                }
                break;
        }
    }

    private static void Set(JsonNode parent, object key, string value)
    {
        if (parent is JsonObject obj) obj[(string)key] = value;
        else ((JsonArray)parent)[(int)key] = value;
    }

    /// <summary>Changes one of the values that become storage keys: id, subject, a device id, the key id.</summary>
    private static void SetKeyId(Random random, JsonObject document, Func<string, string> change)
    {
        var data = document["data"] as JsonObject;
        var choices = new List<(JsonNode Parent, object Key)> { (document, "id"), (document, "subject") };
        if (data?["deviceId"] is JsonValue) choices.Add((data, "deviceId"));
        if (data?["encryptionKey"] is JsonObject key) choices.Add((key, "id"));
        if (data?["devices"] is JsonArray { Count: > 0 } devices) choices.Add((devices, random.Next(devices.Count)));
        var (parent, slot) = choices[random.Next(choices.Count)];
        var current = parent is JsonObject o ? o[(string)slot] : ((JsonArray)parent)[(int)slot];
        var text = current is JsonValue v && v.TryGetValue<string>(out var s) ? s : "id";
        Set(parent, slot, random.Next(8) == 0 ? new string('k', random.Next(120, 300)) : change(text));
    }

    private static JsonNode? OtherValue(Random random, JsonNode? current) => (current?.GetValueKind(), random.Next(6)) switch
    {
        (_, 0) => null,
        (JsonValueKind.String, _) => random.Next(2) == 0 ? JsonValue.Create(random.Next()) : new JsonArray("x"),
        (JsonValueKind.Number, _) => random.Next(2) == 0 ? JsonValue.Create("12") : JsonValue.Create(true),
        (JsonValueKind.Object, _) => random.Next(2) == 0 ? JsonValue.Create("{}") : new JsonArray(),
        (JsonValueKind.Array, _) => random.Next(2) == 0 ? JsonValue.Create("a") : new JsonObject(),
        _ => JsonValue.Create(random.Next(2) == 0),
    };

    private static string Insert(Random random, string text, string insert)
    {
        var at = random.Next(text.Length + 1);
        // Never between the halves of a surrogate pair: a split pair is not what this mutation is about.
        if (at > 0 && at < text.Length && char.IsLowSurrogate(text[at])) at--;
        return text[..at] + insert + text[at..];
    }

    private static T Pick<T>(Random random, params T[] items) => items[random.Next(items.Length)];

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}

/// <summary>Who the fuzzed events are for: a suite that drives the relay registers this user and these devices.</summary>
public sealed record FuzzSettings
{
    public string Subject { get; init; } = "fuzz-user@example.com";

    public IReadOnlyList<string> DeviceIds { get; init; } = ["fuzz-iphone", "fuzz-pixel"];

    /// <summary>The events' time (a call rings for at most 300 s after it, a message lives a day).</summary>
    public DateTimeOffset Time { get; init; } = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
}

/// <param name="Mutation">One of <see cref="EventFuzzer.Mutations"/>; "none" is a valid event.</param>
/// <param name="BaseType">The type of the event before it was mutated (which queue it was meant for).</param>
/// <param name="Body">The message body: UTF-8 (or not), as a producer would put it on the queue.</param>
/// <param name="Canary">The unique plaintext in this event's personal fields.</param>
/// <param name="Secrets">Texts that must never leave the relay in clear: the canary, and a registration's key and tokens.</param>
public sealed record FuzzCase(int Index, string Mutation, string BaseType, byte[] Body, string Canary, IReadOnlyList<string> Secrets)
{
    public override string ToString() => $"#{Index} {Mutation} ({BaseType}, {Body.Length} bytes)";
}
