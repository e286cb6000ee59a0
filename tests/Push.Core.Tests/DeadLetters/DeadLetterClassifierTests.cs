using System.Text;
using Push.Core.DeadLetters;
using Push.Core.Events;

namespace Push.Core.Tests.DeadLetters;

public sealed class DeadLetterClassifierTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    // Provider outage, throttling or network trouble: replay after the cool-down.
    [InlineData("RetriesExhausted:ServiceUnavailable", DeadLetterClass.Transient)]
    [InlineData("RetriesExhausted:InternalServerError", DeadLetterClass.Transient)]
    [InlineData("RetriesExhausted:TooManyRequests", DeadLetterClass.Transient)]
    [InlineData("RetriesExhausted:NetworkFailure", DeadLetterClass.Transient)]
    [InlineData("RetriesExhausted:Timeout", DeadLetterClass.Transient)]
    [InlineData("RetriesExhausted:Shutdown", DeadLetterClass.Transient)]
    [InlineData("RetriesExhausted:ExpiredProviderToken", DeadLetterClass.Transient)]
    [InlineData("RetriesExhausted:TooManyProviderTokenUpdates", DeadLetterClass.Transient)]
    // Permanent rejections: archive.
    [InlineData("RetriesExhausted:InvalidRequest", DeadLetterClass.Permanent)]
    [InlineData("RetriesExhausted:PayloadTooLarge", DeadLetterClass.Permanent)]
    [InlineData("RetriesExhausted:Forbidden", DeadLetterClass.Permanent)]
    [InlineData("RetriesExhausted:Unknown", DeadLetterClass.Permanent)]
    [InlineData("RetriesExhausted:NotAReason", DeadLetterClass.Permanent)]
    [InlineData("RetriesExhausted:25", DeadLetterClass.Permanent)]
    [InlineData("RetriesExhausted:", DeadLetterClass.Permanent)]
    // Bad events: never replayed.
    [InlineData("InvalidEvent:MissingField", DeadLetterClass.Permanent)]
    [InlineData("InvalidEvent:InvalidField", DeadLetterClass.Permanent)]
    [InlineData("InvalidEvent:MalformedJson", DeadLetterClass.Permanent)]
    [InlineData("InvalidEvent:TooLarge", DeadLetterClass.Permanent)]
    [InlineData("InvalidEvent:UnknownType", DeadLetterClass.Permanent)]
    [InlineData("InvalidEvent:WrongQueue", DeadLetterClass.Permanent)]
    // The host's own reasons.
    [InlineData("MaxDequeueCountExceeded", DeadLetterClass.Transient)]
    [InlineData("UndecodableMessage", DeadLetterClass.Corrupt)]
    [InlineData(DeadLetterEntry.UnreadableReason, DeadLetterClass.Corrupt)]
    // Nobody knows it: do not replay.
    [InlineData("SomethingNew", DeadLetterClass.Permanent)]
    public void Each_reason_the_relay_writes_has_its_class(string reason, DeadLetterClass expected) =>
        Assert.Equal(expected, DeadLetterClassifier.Classify(reason, "2 device(s) still failing"));

    [Fact]
    public void Every_problem_code_the_parser_reports_is_permanent()
    {
        foreach (var code in Enum.GetNames<EventProblemCode>())
        {
            Assert.Equal(DeadLetterClass.Permanent, DeadLetterClassifier.Classify("InvalidEvent:" + code, null));
        }
    }

    [Fact]
    public void A_transient_call_whose_ring_time_has_passed_is_an_expired_call()
    {
        var call = TestEvents.Call(Now.AddSeconds(-31), ringTimeoutSeconds: 30);
        var assessment = DeadLetterClassifier.Assess(Entry(call, "RetriesExhausted:ServiceUnavailable"), Now);
        Assert.Equal(DeadLetterClass.ExpiredCall, assessment.Class);
        Assert.Equal(call.TrackingId, assessment.TrackingId);
        Assert.Equal(PushEventTypes.CallIncoming, assessment.EventType);
    }

    [Fact]
    public void A_transient_call_still_ringing_stays_transient()
    {
        var call = TestEvents.Call(Now.AddSeconds(-10), ringTimeoutSeconds: 30);
        Assert.Equal(DeadLetterClass.Transient, DeadLetterClassifier.Assess(Entry(call, "RetriesExhausted:Timeout"), Now).Class);
    }

    [Fact]
    public void The_ring_timeout_of_the_event_decides_not_the_default()
    {
        var call = TestEvents.Call(Now.AddSeconds(-60), ringTimeoutSeconds: 120);
        Assert.Equal(DeadLetterClass.Transient, DeadLetterClassifier.Assess(Entry(call, "MaxDequeueCountExceeded"), Now).Class);
        Assert.Equal(DeadLetterClass.ExpiredCall, DeadLetterClassifier.Assess(Entry(call, "MaxDequeueCountExceeded"), Now.AddSeconds(61)).Class);
    }

    [Fact]
    public void An_old_message_that_is_not_a_call_stays_transient()
    {
        var im = TestEvents.Im(Now.AddDays(-1));
        Assert.Equal(DeadLetterClass.Transient, DeadLetterClassifier.Assess(Entry(im, "RetriesExhausted:ServiceUnavailable"), Now).Class);
    }

    [Fact]
    public void A_permanent_reason_on_an_expired_call_stays_permanent_so_the_fault_stays_visible()
    {
        var call = TestEvents.Call(Now.AddHours(-1));
        Assert.Equal(DeadLetterClass.Permanent, DeadLetterClassifier.Assess(Entry(call, "RetriesExhausted:InvalidRequest"), Now).Class);
    }

    [Fact]
    public void An_unreadable_entry_is_corrupt()
    {
        var entry = new DeadLetterEntry("q", "p1", "r", "p1", DeadLetterEntry.UnreadableReason, null, 0, null, Now, null, null, "garbage");
        Assert.Equal(DeadLetterClass.Corrupt, DeadLetterClassifier.Assess(entry, Now).Class);
    }

    [Fact]
    public void A_transient_entry_whose_original_never_decoded_is_corrupt()
    {
        var entry = new DeadLetterEntry("q", "p1", "r", "m1", "MaxDequeueCountExceeded", null, 5, Now, Now, "%%%", null, "x");
        Assert.Equal(DeadLetterClass.Corrupt, DeadLetterClassifier.Assess(entry, Now).Class);
    }

    [Fact]
    public void The_tracking_id_of_a_malformed_event_is_still_read()
    {
        var (id, json) = TestEvents.Malformed();
        Assert.Equal((id, PushEventTypes.ImMessage), DeadLetterClassifier.ReadIdentity(json));
        Assert.Equal((null, null), DeadLetterClassifier.ReadIdentity(Encoding.UTF8.GetBytes("not json")));
        Assert.Equal((null, null), DeadLetterClassifier.ReadIdentity(Encoding.UTF8.GetBytes("""{"id":42,"type":["x"]}""")));
    }

    [Fact]
    public void A_device_key_is_redacted_and_nothing_else_changes()
    {
        var (evt, key) = TestEvents.DeviceRegistered(Now);
        var redacted = DeadLetterRedaction.RedactKeys(PushEventWriter.Serialize(evt));
        Assert.NotNull(redacted);
        Assert.DoesNotContain(key, redacted, StringComparison.Ordinal);
        Assert.Contains(DeadLetterRedaction.RedactedValue, redacted, StringComparison.Ordinal);
        Assert.Contains(evt.TrackingId, redacted, StringComparison.Ordinal);
        Assert.Null(DeadLetterRedaction.RedactKeys(PushEventWriter.Serialize(TestEvents.Im(Now))));
    }

    private static DeadLetterEntry Entry(PushEvent evt, string reason)
    {
        var body = PushEventWriter.Serialize(evt);
        return new DeadLetterEntry("push-calls", "p1", "r1", "m1", reason, null, 5, Now.AddMinutes(-1), Now,
            Convert.ToBase64String(body), body, "raw");
    }
}
