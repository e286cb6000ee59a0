using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using NJsonSchema;
using Push.Core.Events;
using Push.Core.Storage;

namespace Push.Core.Tests.Events;

/// <summary>
/// The published JSON Schema and the parser must agree on every document: a producer who validates with
/// the schema never has an event dead-lettered, and the schema never refuses what the relay would take.
/// </summary>
public sealed class SchemaAgreementTests
{
    private static readonly Lazy<string> SchemaText = new(() =>
    {
        using var stream = typeof(PushEventParser).Assembly.GetManifestResourceStream("push-event.schema.json")
            ?? throw new InvalidOperationException("push-event.schema.json is not embedded in Push.Core");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromJsonAsync(SchemaText.Value).GetAwaiter().GetResult());

    public static TheoryData<string, string, EventProblemCode?> Documents()
    {
        var table = new TheoryData<string, string, EventProblemCode?>();
        void Valid(string name, JsonNode document) => table.Add(name, document.ToJsonString(), null);
        void Invalid(string name, JsonNode document, EventProblemCode code) => table.Add(name, document.ToJsonString(), code);

        // valid, one or more of each type
        Valid("call.incoming", SampleEvents.CallIncoming());
        Valid("call.incoming minimal", SampleEvents.CallIncoming().With(d => { d.Data().Remove("ringTimeoutSeconds"); d.Data().Remove("activeNode"); d.Data()["caller"]!.AsObject().Remove("name"); }));
        Valid("call.incoming video with devices", SampleEvents.CallIncoming().With(d => { d.Data()["media"] = "video"; d.Data()["devices"] = new JsonArray("iphone-1", "pixel-1"); }));
        Valid("call.incoming nulls for optionals", SampleEvents.CallIncoming().With(d => { d.Data()["activeNode"] = null; d.Data()["ringTimeoutSeconds"] = null; d.Data()["devices"] = null; }));
        Valid("call.incoming ring 300", SampleEvents.CallIncoming().With(d => d.Data()["ringTimeoutSeconds"] = 300));
        Valid("call.ended", SampleEvents.CallEnded());
        Valid("call.ended answered elsewhere", SampleEvents.CallEnded().With(d => d.Data()["reason"] = "answered-elsewhere"));
        Valid("im.message", SampleEvents.ImMessage());
        Valid("im.message empty preview, zero unread", SampleEvents.ImMessage().With(d => { d.Data()["preview"] = ""; d.Data()["unreadCount"] = 0; }));
        Valid("device.registered ios", SampleEvents.IosRegistered());
        Valid("device.registered ios without voip token", SampleEvents.IosRegistered().With(d => { d.Data().Remove("voipToken"); d.Data().Remove("region"); }));
        Valid("device.registered android", SampleEvents.AndroidRegistered());
        Valid("device.unregistered", SampleEvents.Unregistered());
        Valid("extension attribute", SampleEvents.CallEnded().With(d => d["traceparent"] = "00-abc-def-01"));
        Valid("unknown data field is ignored", SampleEvents.ImMessage().With(d => d.Data()["futureField"] = 1));
        Valid("no datacontenttype", SampleEvents.CallEnded().With(d => d.Remove("datacontenttype")));
        Valid("datacontenttype with charset", SampleEvents.CallEnded().With(d => d["datacontenttype"] = "application/json; charset=utf-8"));
        Valid("time lower-case t and z", SampleEvents.CallEnded().With(d => d["time"] = "2026-03-01t12:00:00z"));
        Valid("time Feb 29 of a leap year", SampleEvents.CallEnded().With(d => d["time"] = "2028-02-29T12:00:00Z"));
        Valid("time with offset", SampleEvents.CallEnded().With(d => d["time"] = "2026-03-01T13:00:00+01:00"));
        Valid("time with the largest offset", SampleEvents.CallEnded().With(d => d["time"] = "2026-03-01T13:00:00-14:00"));
        Valid("time in 1970", SampleEvents.CallEnded().With(d => d["time"] = "1970-01-01T00:00:00Z"));
        Valid("time in 9998", SampleEvents.CallEnded().With(d => d["time"] = "9998-12-31T23:59:59Z"));
        Valid("subject in other scripts", SampleEvents.CallEnded().With(d => d["subject"] = "zoë 用户 \U0001F600"));
        Valid("id with every punctuation a key may hold", SampleEvents.CallEnded().With(d => d["id"] = "a!\"$&'()*+,-.:;<=>@[]^_`{|}~"));
        Valid("device id with punctuation", SampleEvents.Unregistered().With(d => d.Data()["deviceId"] = "phone:1@home_(2)"));

        // malformed / not a CloudEvent / spec version / type
        table.Add("malformed json", "{\"specversion\": \"1.0\",", EventProblemCode.MalformedJson);
        Invalid("array root", new JsonArray(1, 2), EventProblemCode.NotACloudEvent);
        Invalid("no specversion", SampleEvents.CallEnded().With(d => d.Remove("specversion")), EventProblemCode.NotACloudEvent);
        Invalid("specversion 0.3", SampleEvents.CallEnded().With(d => d["specversion"] = "0.3"), EventProblemCode.UnsupportedSpecVersion);
        Invalid("unknown type", SampleEvents.CallEnded().With(d => d["type"] = "push.call.ringing"), EventProblemCode.UnknownType);

        // missing fields
        Invalid("no id", SampleEvents.CallEnded().With(d => d.Remove("id")), EventProblemCode.MissingField);
        Invalid("null subject", SampleEvents.CallEnded().With(d => d["subject"] = null), EventProblemCode.MissingField);
        Invalid("no source", SampleEvents.CallEnded().With(d => d.Remove("source")), EventProblemCode.MissingField);
        Invalid("no data", SampleEvents.CallEnded().With(d => d.Remove("data")), EventProblemCode.MissingField);
        Invalid("no caller number", SampleEvents.CallIncoming().With(d => d.Data()["caller"]!.AsObject().Remove("number")), EventProblemCode.MissingField);
        Invalid("no unreadCount", SampleEvents.ImMessage().With(d => d.Data().Remove("unreadCount")), EventProblemCode.MissingField);
        Invalid("no encryptionKey", SampleEvents.IosRegistered().With(d => d.Data().Remove("encryptionKey")), EventProblemCode.MissingField);
        Invalid("no deviceId", SampleEvents.Unregistered().With(d => d.Data().Remove("deviceId")), EventProblemCode.MissingField);

        // invalid fields
        Invalid("empty id", SampleEvents.CallEnded().With(d => d["id"] = ""), EventProblemCode.InvalidField);
        Invalid("id too long", SampleEvents.CallEnded().With(d => d["id"] = new string('x', 129)), EventProblemCode.InvalidField);
        Invalid("id with trailing newline", SampleEvents.CallEnded().With(d => d["id"] = "abc\n"), EventProblemCode.InvalidField);
        Invalid("id with space", SampleEvents.CallEnded().With(d => d["id"] = "a b"), EventProblemCode.InvalidField);
        Invalid("empty source", SampleEvents.CallEnded().With(d => d["source"] = ""), EventProblemCode.InvalidField);
        Invalid("time without offset", SampleEvents.CallEnded().With(d => d["time"] = "2026-03-01T12:00:00"), EventProblemCode.InvalidField);
        Invalid("time not a date", SampleEvents.CallEnded().With(d => d["time"] = "yesterday"), EventProblemCode.InvalidField);
        Invalid("time Feb 30", SampleEvents.CallEnded().With(d => d["time"] = "2026-02-30T12:00:00Z"), EventProblemCode.InvalidField);
        Invalid("time Feb 29 of a common year", SampleEvents.CallEnded().With(d => d["time"] = "2027-02-29T12:00:00Z"), EventProblemCode.InvalidField);
        Invalid("time Apr 31", SampleEvents.CallEnded().With(d => d["time"] = "2026-04-31T12:00:00Z"), EventProblemCode.InvalidField);
        Invalid("datacontenttype xml", SampleEvents.CallEnded().With(d => d["datacontenttype"] = "application/xml"), EventProblemCode.InvalidField);
        Invalid("data is a string", SampleEvents.CallEnded().With(d => d["data"] = "{}"), EventProblemCode.InvalidField);
        Invalid("media fax", SampleEvents.CallIncoming().With(d => d.Data()["media"] = "fax"), EventProblemCode.InvalidField);
        Invalid("ring 0", SampleEvents.CallIncoming().With(d => d.Data()["ringTimeoutSeconds"] = 0), EventProblemCode.InvalidField);
        Invalid("ring 301", SampleEvents.CallIncoming().With(d => d.Data()["ringTimeoutSeconds"] = 301), EventProblemCode.InvalidField);
        Invalid("ring as string", SampleEvents.CallIncoming().With(d => d.Data()["ringTimeoutSeconds"] = "30"), EventProblemCode.InvalidField);
        Invalid("empty devices", SampleEvents.CallIncoming().With(d => d.Data()["devices"] = new JsonArray()), EventProblemCode.InvalidField);
        Invalid("device id number", SampleEvents.CallIncoming().With(d => d.Data()["devices"] = new JsonArray(7)), EventProblemCode.InvalidField);
        Invalid("active node with space", SampleEvents.CallIncoming().With(d => d.Data()["activeNode"] = "node a"), EventProblemCode.InvalidField);
        Invalid("caller number empty", SampleEvents.CallIncoming().With(d => d.Data()["caller"]!["number"] = ""), EventProblemCode.InvalidField);
        Invalid("caller number too long", SampleEvents.CallIncoming().With(d => d.Data()["caller"]!["number"] = new string('1', 65)), EventProblemCode.InvalidField);
        Invalid("reason unknown", SampleEvents.CallEnded().With(d => d.Data()["reason"] = "busy"), EventProblemCode.InvalidField);
        Invalid("unreadCount negative", SampleEvents.ImMessage().With(d => d.Data()["unreadCount"] = -1), EventProblemCode.InvalidField);
        Invalid("preview number", SampleEvents.ImMessage().With(d => d.Data()["preview"] = 5), EventProblemCode.InvalidField);
        Invalid("from is a string", SampleEvents.ImMessage().With(d => d.Data()["from"] = "bob"), EventProblemCode.InvalidField);
        Invalid("platform windows", SampleEvents.IosRegistered().With(d => d.Data()["platform"] = "windows"), EventProblemCode.InvalidField);
        Invalid("environment staging", SampleEvents.IosRegistered().With(d => d.Data()["environment"] = "staging"), EventProblemCode.InvalidField);
        Invalid("ios token 63 hex", SampleEvents.IosRegistered().With(d => d.Data()["pushToken"] = SampleEvents.IosToken[1..]), EventProblemCode.InvalidField);
        Invalid("ios token not hex", SampleEvents.IosRegistered().With(d => d.Data()["pushToken"] = "z" + SampleEvents.IosToken[1..]), EventProblemCode.InvalidField);
        Invalid("ios voip token short", SampleEvents.IosRegistered().With(d => d.Data()["voipToken"] = "abcd"), EventProblemCode.InvalidField);
        Invalid("android token with space", SampleEvents.AndroidRegistered().With(d => d.Data()["pushToken"] = "abc def"), EventProblemCode.InvalidField);
        Invalid("android token too long", SampleEvents.AndroidRegistered().With(d => d.Data()["pushToken"] = new string('a', 4097)), EventProblemCode.InvalidField);
        Invalid("android with voip token", SampleEvents.AndroidRegistered().With(d => d.Data()["voipToken"] = SampleEvents.VoipToken), EventProblemCode.InvalidField);
        Invalid("region lower case", SampleEvents.IosRegistered().With(d => d.Data()["region"] = "cn"), EventProblemCode.InvalidField);
        Invalid("key 31 bytes", SampleEvents.IosRegistered().With(d => d.Data()["encryptionKey"]!["key"] = Convert.ToBase64String(new byte[31])), EventProblemCode.InvalidField);
        Invalid("key 33 bytes", SampleEvents.IosRegistered().With(d => d.Data()["encryptionKey"]!["key"] = Convert.ToBase64String(new byte[33])), EventProblemCode.InvalidField);
        Invalid("key base64url", SampleEvents.IosRegistered().With(d => d.Data()["encryptionKey"]!["key"] = "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq8-_"), EventProblemCode.InvalidField);
        Invalid("key id empty", SampleEvents.IosRegistered().With(d => d.Data()["encryptionKey"]!["id"] = ""), EventProblemCode.InvalidField);
        Invalid("app id with slash", SampleEvents.IosRegistered().With(d => d.Data()["appId"] = "com/example"), EventProblemCode.InvalidField);

        // ids that become Table keys (issue 17)
        Invalid("subject with slash", SampleEvents.CallEnded().With(d => d["subject"] = "alice/bob"), EventProblemCode.InvalidField);
        Invalid("subject with %00", SampleEvents.CallEnded().With(d => d["subject"] = "alice%00"), EventProblemCode.InvalidField);
        Invalid("subject with a newline", SampleEvents.CallEnded().With(d => d["subject"] = "alice\nbob"), EventProblemCode.InvalidField);
        Invalid("subject with U+0085", SampleEvents.CallEnded().With(d => d["subject"] = "alice\u0085"), EventProblemCode.InvalidField);
        Invalid("subject with DEL", SampleEvents.CallEnded().With(d => d["subject"] = "alice\u007f"), EventProblemCode.InvalidField);
        Invalid("subject too long", SampleEvents.CallEnded().With(d => d["subject"] = new string('a', 257)), EventProblemCode.InvalidField);
        Invalid("empty subject", SampleEvents.CallEnded().With(d => d["subject"] = ""), EventProblemCode.InvalidField);
        Invalid("id with hash", SampleEvents.CallEnded().With(d => d["id"] = "evt#1"), EventProblemCode.InvalidField);
        Invalid("id with percent", SampleEvents.CallEnded().With(d => d["id"] = "evt%2F1"), EventProblemCode.InvalidField);
        Invalid("device id with question mark", SampleEvents.IosRegistered().With(d => d.Data()["deviceId"] = "phone?"), EventProblemCode.InvalidField);
        Invalid("device id with backslash", SampleEvents.Unregistered().With(d => d.Data()["deviceId"] = "phone\\1"), EventProblemCode.InvalidField);
        Invalid("devices entry with slash", SampleEvents.CallIncoming().With(d => d.Data()["devices"] = new JsonArray("a/b")), EventProblemCode.InvalidField);
        Invalid("time in 9999", SampleEvents.CallEnded().With(d => d["time"] = "9999-12-31T23:59:59Z"), EventProblemCode.InvalidField);
        Invalid("time in 1969", SampleEvents.CallEnded().With(d => d["time"] = "1969-12-31T23:59:59Z"), EventProblemCode.InvalidField);
        Invalid("time with offset beyond 14 hours", SampleEvents.CallEnded().With(d => d["time"] = "2026-03-01T12:00:00+14:30"), EventProblemCode.InvalidField);
        return table;
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void Schema_and_parser_agree(string name, string json, EventProblemCode? expectedProblem)
    {
        var parsed = PushEventParser.Parse(Encoding.UTF8.GetBytes(json));
        var schemaAccepts = SchemaAccepts(json);

        Assert.True(parsed.IsSuccess == schemaAccepts,
            $"{name}: parser {(parsed.IsSuccess ? "accepts" : "rejects (" + parsed.Problem + ")")}, schema {(schemaAccepts ? "accepts" : "rejects")}");
        if (expectedProblem is null)
        {
            Assert.True(parsed.IsSuccess, $"{name}: {parsed.Problem}");
        }
        else
        {
            Assert.False(parsed.IsSuccess, name);
            Assert.Equal(expectedProblem, parsed.Problem!.Code);
        }
    }

    /// <summary>What JSON Schema cannot say; EVENTS.md and the schema's description list these.</summary>
    private static readonly EventProblemCode[] NotExpressibleInTheSchema = [EventProblemCode.TooLarge, EventProblemCode.DuplicateKey];

    [Fact]
    public void The_table_covers_every_type_and_every_problem_the_schema_can_express()
    {
        var rows = Documents().Select(row => ((string)row[1], (EventProblemCode?)row[2])).ToList();
        Assert.True(rows.Count >= 30);
        foreach (var type in PushEventTypes.All)
        {
            Assert.Contains(rows, row => row.Item2 is null && row.Item1.Contains($"\"{type}\"", StringComparison.Ordinal));
        }
        foreach (var code in Enum.GetValues<EventProblemCode>().Except(NotExpressibleInTheSchema))
        {
            Assert.Contains(rows, row => row.Item2 == code);
        }
    }

    [Fact]
    public void The_schema_uses_exactly_the_parsers_patterns()
    {
        var parser = typeof(EventFieldPatterns).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToHashSet(StringComparer.Ordinal);
        var schema = new HashSet<string>(StringComparer.Ordinal);
        CollectPatterns(JsonNode.Parse(SchemaText.Value)!, schema);

        Assert.Equal(parser.Order(StringComparer.Ordinal), schema.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_key_safe_patterns_allow_exactly_what_a_table_key_may_hold()
    {
        for (var c = char.MinValue; ; c++)
        {
            var text = c.ToString();
            var keyAllows = TableKeys.IsAllowed(c);
            Assert.True(keyAllows == EventFieldPatterns.SubjectRegex().IsMatch(text), $"subject, U+{(int)c:X4}");
            Assert.True((keyAllows && c is >= '\x21' and <= '\x7E') == EventFieldPatterns.KeySafeIdentifierRegex().IsMatch(text), $"id, U+{(int)c:X4}");
            if (c == char.MaxValue) break;
        }
    }

    private static void CollectPatterns(JsonNode node, HashSet<string> patterns)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj)
                {
                    if (name == "pattern" && value is JsonValue pattern) patterns.Add(pattern.GetValue<string>());
                    else if (value is not null) CollectPatterns(value, patterns);
                }
                break;
            case JsonArray array:
                foreach (var item in array.OfType<JsonNode>()) CollectPatterns(item, patterns);
                break;
        }
    }

    private static bool SchemaAccepts(string json)
    {
        try
        {
            return Schema.Value.Validate(json).Count == 0;
        }
        catch (Newtonsoft.Json.JsonException)
        {
            return false;
        }
    }
}
