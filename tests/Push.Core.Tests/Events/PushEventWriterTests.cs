using Microsoft.Extensions.Time.Testing;
using Push.Core.Events;
using Push.Core.Registry;

namespace Push.Core.Tests.Events;

public sealed class PushEventWriterTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, 456, TimeSpan.Zero));

    public static TheoryData<PushEventData> EveryType() => new()
    {
        new CallIncomingData("call-1", new Party("Bob", "+15551230001"), CallMedia.Video, 45, "node-b:5061", ["iphone-1"]),
        new CallEndedData("call-1", CallEndReasons.AnsweredElsewhere, new Party(null, "+15551230001")),
        new ImMessageData("conv-1", "msg-1", new ImSender("Bob", "bob@example.com"), "héllo 👋", 2),
        new DeviceRegisteredData("pixel-1", DevicePlatform.Android, "com.example.phone", SampleEvents.FcmToken, null,
            PushEnvironment.Sandbox, null, new DeviceEncryptionKey("k1", Convert.FromBase64String(SampleEvents.Key32))),
        new DeviceUnregisteredData("pixel-1"),
    };

    [Theory]
    [MemberData(nameof(EveryType))]
    public void Written_events_parse_back_to_the_same_event(PushEventData data)
    {
        var writer = new PushEventWriter("/cli/test", _clock);
        var created = writer.Create("alice", data);

        var parsed = PushEventParser.Parse(PushEventWriter.Serialize(created));

        Assert.True(parsed.IsSuccess, parsed.ToString());
        Assert.Equal(created.Id, parsed.Event.Id);
        Assert.Equal(data.EventType, parsed.Event.Type);
        Assert.Equal("/cli/test", parsed.Event.Source);
        Assert.Equal(_clock.GetUtcNow(), parsed.Event.Time);
        Assert.Equal("alice", parsed.Event.Subject);
        Assert.Equal(Canonical(data), Canonical(parsed.Event.Data));
    }

    [Fact]
    public void Each_event_gets_a_new_tracking_id()
    {
        var writer = new PushEventWriter("/cli/test", _clock);
        var data = new DeviceUnregisteredData("d1");

        Assert.NotEqual(writer.Create("alice", data).Id, writer.Create("alice", data).Id);
    }

    [Fact]
    public void An_event_that_breaks_the_contract_is_refused_without_quoting_it()
    {
        var writer = new PushEventWriter("/cli/test", _clock);
        var data = new CallIncomingData("call-1", new Party("Zebediah", ""), CallMedia.Audio);

        var error = Assert.Throws<ArgumentException>(() => writer.Write("alice", data));

        Assert.Contains("data.caller.number", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Zebediah", error.Message, StringComparison.Ordinal);
    }

    // Records holding lists and byte arrays compare by reference: compare their JSON instead.
    private static string Canonical(PushEventData data) =>
        System.Text.Json.JsonSerializer.Serialize(data, data.GetType());
}
