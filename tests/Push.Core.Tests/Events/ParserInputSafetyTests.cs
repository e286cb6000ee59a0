using System.Text;
using System.Text.Json.Nodes;
using Push.Core.Events;

namespace Push.Core.Tests.Events;

/// <summary>
/// What later code relies on is checked by the parser: text that decodes, ids that can be Table keys, times
/// the ring clock and the registry can hold. Each input here once threw past the parser or was accepted and
/// failed later (issue 17, item 2).
/// </summary>
public sealed class ParserInputSafetyTests
{
    private static EventParseResult Parse(byte[] utf8)
    {
        // Parse must answer, never throw: an exception here is the bug these tests are about.
        return PushEventParser.Parse(utf8);
    }

    private static byte[] WithRawBytesInPreview(params byte[] raw)
    {
        // The sample's preview is "Lunch at noon?": splice raw bytes into the middle of that JSON string.
        var text = SampleEvents.ImMessage().ToJsonString();
        var at = Encoding.UTF8.GetByteCount(text[..text.IndexOf("noon?", StringComparison.Ordinal)]);
        var bytes = Encoding.UTF8.GetBytes(text);
        return [.. bytes[..at], .. raw, .. bytes[at..]];
    }

    public static TheoryData<string, byte[]> InvalidUtf8 => new()
    {
        { "lone continuation byte", [0x80] },
        { "0xFF", [0xFF] },
        { "truncated two-byte sequence", [0xC3] },
        { "overlong slash", [0xC0, 0xAF] },
        { "UTF-8 encoded surrogate", [0xED, 0xA0, 0x80] },
        { "beyond U+10FFFF", [0xF4, 0x90, 0x80, 0x80] },
        { "truncated four-byte sequence", [0xF0, 0x9F, 0x98] },
    };

    [Theory]
    [MemberData(nameof(InvalidUtf8))]
    public void A_string_with_bytes_that_are_not_UTF_8_is_malformed_json(string name, byte[] raw)
    {
        var result = Parse(WithRawBytesInPreview(raw));

        Assert.False(result.IsSuccess, name);
        Assert.Equal(EventProblemCode.MalformedJson, result.Problem!.Code);
    }

    [Theory]
    [InlineData("\\ud800")]
    [InlineData("\\udc00")]
    [InlineData("\\ud83d x")]
    public void A_string_escape_for_an_unpaired_surrogate_is_malformed_json_at_its_field(string escape)
    {
        var json = SampleEvents.CallIncoming().ToJsonString().Replace("Bob Builder", "Bob " + escape, StringComparison.Ordinal);

        var result = Parse(Encoding.UTF8.GetBytes(json));

        Assert.Equal(EventProblemCode.MalformedJson, result.Problem!.Code);
        Assert.Equal("data.caller.name", result.Problem.Field);
    }

    [Fact]
    public void A_surrogate_pair_escape_is_text_like_any_other()
    {
        var json = SampleEvents.CallIncoming().ToJsonString().Replace("Bob Builder", "Bob \\ud83d\\ude00", StringComparison.Ordinal);

        var result = Parse(Encoding.UTF8.GetBytes(json));

        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal("Bob \U0001F600", Assert.IsType<CallIncomingData>(result.Event.Data).Caller.Name);
    }

    // Every character Table storage refuses in a PartitionKey or RowKey, and '%', which some Table operations
    // decode once more (a "%00" would turn into a NUL).
    public static TheoryData<string> CharactersKeysCannotHold => new()
    {
        "/", "\\", "#", "?", "%", "%00", "%2F", "\r", "\n", "\t", "\0", "\u001f", "\u007f", "\u0085", "\u009f",
    };

    [Theory]
    [MemberData(nameof(CharactersKeysCannotHold))]
    public void A_subject_that_cannot_be_a_table_key_is_refused_naming_the_subject(string bad)
    {
        var result = Parse(SampleEvents.Utf8(SampleEvents.CallEnded().With(d => d["subject"] = "alice" + bad + "x")));

        Assert.Equal(EventProblemCode.InvalidField, result.Problem!.Code);
        Assert.Equal("subject", result.Problem.Field);
    }

    [Theory]
    [MemberData(nameof(CharactersKeysCannotHold))]
    public void A_tracking_id_that_cannot_be_a_table_key_is_refused_naming_the_id(string bad)
    {
        var result = Parse(SampleEvents.Utf8(SampleEvents.CallEnded().With(d => d["id"] = "evt" + bad + "1")));

        Assert.Equal(EventProblemCode.InvalidField, result.Problem!.Code);
        Assert.Equal("id", result.Problem.Field);
    }

    [Theory]
    [MemberData(nameof(CharactersKeysCannotHold))]
    public void A_device_id_that_cannot_be_a_table_key_is_refused_wherever_it_appears(string bad)
    {
        var registered = Parse(SampleEvents.Utf8(SampleEvents.IosRegistered().With(d => d.Data()["deviceId"] = "phone" + bad)));
        var unregistered = Parse(SampleEvents.Utf8(SampleEvents.Unregistered().With(d => d.Data()["deviceId"] = "phone" + bad)));
        var ringOnly = Parse(SampleEvents.Utf8(SampleEvents.CallIncoming().With(d => d.Data()["devices"] = new JsonArray("ok-1", "phone" + bad))));

        Assert.Equal(("data.deviceId", EventProblemCode.InvalidField), (registered.Problem!.Field, registered.Problem.Code));
        Assert.Equal(("data.deviceId", EventProblemCode.InvalidField), (unregistered.Problem!.Field, unregistered.Problem.Code));
        Assert.Equal(("data.devices[1]", EventProblemCode.InvalidField), (ringOnly.Problem!.Field, ringOnly.Problem.Code));
    }

    [Theory]
    [InlineData("9999-12-31T23:59:59Z")] // the ring clock would run past DateTimeOffset.MaxValue
    [InlineData("9999-01-01T00:00:00+01:00")]
    [InlineData("1600-06-01T00:00:00Z")] // before the earliest date a Table storage property holds
    [InlineData("0001-01-01T00:00:00Z")]
    [InlineData("1969-12-31T23:59:59Z")]
    [InlineData("2026-03-01T12:00:00+14:01")] // beyond the offsets a DateTimeOffset holds (and any real zone uses)
    [InlineData("2026-03-01T12:00:00-23:59")]
    public void A_time_outside_what_later_arithmetic_and_storage_hold_is_refused(string time)
    {
        var result = Parse(SampleEvents.Utf8(SampleEvents.CallIncoming().With(d => d["time"] = time)));

        Assert.Equal(("time", EventProblemCode.InvalidField), (result.Problem!.Field, result.Problem.Code));
    }

    [Theory]
    [InlineData("1970-01-01T00:00:00Z")]
    [InlineData("9998-12-31T23:59:59-14:00")]
    [InlineData("2026-03-01T12:00:00+14:00")]
    public void The_first_and_last_accepted_times_still_parse(string time)
    {
        Assert.True(Parse(SampleEvents.Utf8(SampleEvents.CallIncoming().With(d => d["time"] = time))).IsSuccess);
    }

    [Fact]
    public void A_subject_in_any_script_is_accepted()
    {
        foreach (var subject in new[] { "zoë@example.com", "用户-42", "\U0001F600 smile", "a b", "\u00a0nbsp", "\ufffd", new string('u', 256) })
        {
            var result = Parse(SampleEvents.Utf8(SampleEvents.CallEnded().With(d => d["subject"] = subject)));
            Assert.True(result.IsSuccess, $"{subject}: {result}");
        }
    }
}
