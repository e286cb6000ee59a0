using System.Text;
using System.Text.Json.Nodes;
using Push.Core.Events;
using Push.Core.Registry;

namespace Push.Core.Tests.Events;

public sealed class PushEventParserTests
{
    [Fact]
    public void Reads_every_field_of_an_incoming_call()
    {
        var result = PushEventParser.Parse(SampleEvents.Utf8(SampleEvents.CallIncoming().With(d => d.Data()["devices"] = new JsonArray("iphone-1"))));

        Assert.True(result.IsSuccess, result.ToString());
        var evt = result.Event;
        Assert.Equal("3b1f6a2e-7c41-4c8e-9a55-0d3e2f1a9b77", evt.TrackingId);
        Assert.Equal(PushEventTypes.CallIncoming, evt.Type);
        Assert.Equal("/cucm/cluster-a", evt.Source);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 12, 0, 0, 123, TimeSpan.Zero), evt.Time);
        Assert.Equal("alice@example.com", evt.Subject);
        var data = Assert.IsType<CallIncomingData>(evt.Data);
        Assert.Equal("call-42", data.CallId);
        Assert.Equal(new Party("Bob Builder", "+15551230001"), data.Caller);
        Assert.Equal(CallMedia.Audio, data.Media);
        Assert.Equal(30, data.RingTimeoutSeconds);
        Assert.Equal("cucm-sub2.example.com", data.ActiveNode);
        Assert.Equal(["iphone-1"], data.Devices!);
    }

    [Fact]
    public void Ring_timeout_defaults_to_30_seconds()
    {
        var result = PushEventParser.Parse(SampleEvents.Utf8(SampleEvents.CallIncoming().With(d => d.Data().Remove("ringTimeoutSeconds"))));

        Assert.Equal(30, Assert.IsType<CallIncomingData>(result.Event!.Data).RingTimeoutSeconds);
    }

    [Fact]
    public void Reads_a_device_registration_with_its_key_bytes()
    {
        var result = PushEventParser.Parse(SampleEvents.Utf8(SampleEvents.IosRegistered()));

        var data = Assert.IsType<DeviceRegisteredData>(result.Event!.Data);
        Assert.Equal(DevicePlatform.Ios, data.Platform);
        Assert.Equal(PushEnvironment.Production, data.Environment);
        Assert.Equal("CN", data.Region);
        Assert.Equal(SampleEvents.VoipToken, data.VoipToken);
        Assert.Equal("k1", data.EncryptionKey.Id);
        Assert.Equal(Convert.FromBase64String(SampleEvents.Key32), data.EncryptionKey.Key);
    }

    [Fact]
    public void An_event_over_the_size_limit_is_refused_before_it_is_parsed()
    {
        var big = SampleEvents.ImMessage().With(d => d.Data()["preview"] = new string('x', PushEventParser.MaxEventBytes));

        var result = PushEventParser.Parse(SampleEvents.Utf8(big));

        Assert.Equal(EventProblemCode.TooLarge, result.Problem!.Code);
    }

    [Fact]
    public void An_event_just_under_the_size_limit_is_accepted()
    {
        var document = SampleEvents.ImMessage();
        var overhead = SampleEvents.Utf8(document).Length - "Lunch at noon?".Length;
        var filled = document.With(d => d.Data()["preview"] = new string('x', PushEventParser.MaxEventBytes - overhead));
        var bytes = SampleEvents.Utf8(filled);

        Assert.Equal(PushEventParser.MaxEventBytes, bytes.Length);
        Assert.True(PushEventParser.Parse(bytes).IsSuccess);
    }

    [Theory]
    [InlineData("caller", "number", "+4479460999", "data.caller.number")]
    [InlineData("caller", "name", null, "data.caller.name")]
    public void Problems_name_the_field_but_never_quote_its_value(string objectName, string field, string? _, string path)
    {
        const string secret = "Zebediah Quixote-Secret";
        var broken = SampleEvents.CallIncoming().With(d =>
        {
            // too long to be valid, and distinctive enough to find if it leaked
            d.Data()[objectName]![field] = string.Concat(Enumerable.Repeat(secret, 20));
        });

        var problem = PushEventParser.Parse(SampleEvents.Utf8(broken)).Problem!;

        Assert.Equal(EventProblemCode.InvalidField, problem.Code);
        Assert.Equal(path, problem.Field);
        Assert.DoesNotContain("Zebediah", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_json_problem_does_not_echo_the_input()
    {
        var problem = PushEventParser.Parse(Encoding.UTF8.GetBytes("{\"preview\": \"Zebediah says hi\" oops}")).Problem!;

        Assert.Equal(EventProblemCode.MalformedJson, problem.Code);
        Assert.DoesNotContain("Zebediah", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_key_is_reported_without_the_key()
    {
        var broken = SampleEvents.IosRegistered().With(d => d.Data()["encryptionKey"]!["key"] = "c2VjcmV0LWtleS1tYXRlcmlhbA==");

        var problem = PushEventParser.Parse(SampleEvents.Utf8(broken)).Problem!;

        Assert.Equal("data.encryptionKey.key", problem.Field);
        Assert.DoesNotContain("c2VjcmV0", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Data_records_do_not_print_personal_data_or_keys()
    {
        var call = new CallIncomingData("c1", new Party("Zebediah", "+4479460999"), CallMedia.Video, ActiveNode: "n1");
        var ended = new CallEndedData("c1", CallEndReasons.Missed, new Party("Zebediah", "+4479460999"));
        var message = new ImMessageData("conv-zebediah", "m1", new ImSender("Zebediah", "zeb@example.com"), "secret plans", 1);
        var device = new DeviceRegisteredData("d1", DevicePlatform.Ios, "com.example", SampleEvents.IosToken, SampleEvents.VoipToken,
            PushEnvironment.Sandbox, null, new DeviceEncryptionKey("k1", Convert.FromBase64String(SampleEvents.Key32)));
        var evt = new PushEvent("t1", message.EventType, "/src", DateTimeOffset.UnixEpoch, "u1", message);

        foreach (var text in new[] { call.ToString(), ended.ToString(), message.ToString(), device.ToString(), evt.ToString(), call.Caller.ToString(), message.From.ToString() })
        {
            Assert.DoesNotContain("Zebediah", text, StringComparison.Ordinal);
            Assert.DoesNotContain("4479460999", text, StringComparison.Ordinal);
            Assert.DoesNotContain("zeb@", text, StringComparison.Ordinal);
            Assert.DoesNotContain("secret plans", text, StringComparison.Ordinal);
            Assert.DoesNotContain("conv-zebediah", text, StringComparison.Ordinal);
            Assert.DoesNotContain(SampleEvents.IosToken, text, StringComparison.Ordinal);
            Assert.DoesNotContain(SampleEvents.Key32, text, StringComparison.Ordinal);
        }
    }
}
