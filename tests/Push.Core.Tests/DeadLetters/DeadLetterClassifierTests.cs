using System.Text;
using Push.Core.DeadLetters;
using Push.Core.Events;
using Push.Providers.Results;

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
    // The transports' own reasons: a count alone is not evidence of an outage (Assess looks at the ledger).
    [InlineData("MaxDequeueCountExceeded", DeadLetterClass.Permanent)]
    [InlineData("MaxDeliveryCountExceeded", DeadLetterClass.Permanent)]
    [InlineData("UndecodableMessage", DeadLetterClass.Corrupt)]
    // Nobody knows it: do not replay.
    [InlineData("SomethingNew", DeadLetterClass.Permanent)]
    [InlineData("TTLExpiredException", DeadLetterClass.Permanent)]
    [InlineData("InvalidEvent", DeadLetterClass.Permanent)]
    [InlineData("MaxDequeueCountExceeded:Extra", DeadLetterClass.Permanent)]
    public void Each_reason_the_relay_writes_has_its_class(string reason, DeadLetterClass expected) =>
        Assert.Equal(expected, DeadLetterClassifier.Classify(DeadLetterReason.Parse(reason)));

    [Theory]
    [InlineData("MaxDequeueCountExceeded")]
    [InlineData("MaxDeliveryCountExceeded")]
    public void A_transport_that_gave_up_is_transient_only_when_the_ledger_last_saw_a_transient_provider_failure(string reason)
    {
        var im = TestEvents.Im(Now);
        Assert.Equal(DeadLetterClass.Transient, DeadLetterClassifier.Assess(Entry(im, reason), Now, PushFailureReason.ServiceUnavailable).Class);
        Assert.Equal(DeadLetterClass.Permanent, DeadLetterClassifier.Assess(Entry(im, reason), Now, PushFailureReason.BadTopic).Class);
        var unknown = DeadLetterClassifier.Assess(Entry(im, reason), Now);
        Assert.Equal(DeadLetterClass.Permanent, unknown.Class);
        Assert.Equal("NoFailureRecorded", unknown.Detail);
    }

    [Theory]
    [InlineData("InvalidEvent:MissingField")]
    [InlineData("InvalidEvent:WrongQueue")]
    [InlineData("RetriesExhausted:ServiceUnavailable")]
    [InlineData("MaxDequeueCountExceeded")]
    [InlineData("MaxDeliveryCountExceeded")]
    [InlineData("UndecodableMessage")]
    public void Every_reason_the_relay_writes_reads_back_as_itself(string text)
    {
        var reason = DeadLetterReason.Parse(text);
        Assert.NotEqual(DeadLetterCause.Other, reason.Cause);
        Assert.Equal(text, reason.ToString());
    }

    [Fact]
    public void A_reason_nobody_wrote_is_kept_printable_and_short()
    {
        var reason = DeadLetterReason.Parse("weird\r\nreason" + new string('x', 500));
        Assert.Equal(DeadLetterCause.Other, reason.Cause);
        Assert.DoesNotContain('\n', reason.ToString());
        Assert.True(reason.ToString().Length <= 128);
    }

    [Fact]
    public void Every_problem_code_the_parser_reports_is_permanent()
    {
        foreach (var code in Enum.GetNames<EventProblemCode>())
        {
            Assert.Equal(DeadLetterClass.Permanent, DeadLetterClassifier.Classify(DeadLetterReason.InvalidEvent(Enum.Parse<EventProblemCode>(code))));
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
        Assert.Equal(DeadLetterClass.Transient, DeadLetterClassifier.Assess(Entry(call, "RetriesExhausted:Timeout"), Now).Class);
        Assert.Equal(DeadLetterClass.ExpiredCall, DeadLetterClassifier.Assess(Entry(call, "RetriesExhausted:Timeout"), Now.AddSeconds(61)).Class);
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
        var entry = new DeadLetterEntry("q", "p1", "r", "p1", DeadLetterReason.Parse("Unknown"), null, 0, null, Now, null, null, "garbage");
        Assert.Equal(DeadLetterClass.Corrupt, DeadLetterClassifier.Assess(entry, Now).Class);
    }

    [Fact]
    public void A_transient_entry_whose_original_never_decoded_is_corrupt()
    {
        var entry = new DeadLetterEntry("q", "p1", "r", "m1", DeadLetterReason.MaxDequeueCountExceeded, null, 5, Now, Now, "%%%", null, "x");
        Assert.Equal(DeadLetterClass.Corrupt, DeadLetterClassifier.Assess(entry, Now, PushFailureReason.ServiceUnavailable).Class);
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
        return new DeadLetterEntry("push-calls", "p1", "r1", "m1", DeadLetterReason.Parse(reason), null, 5, Now.AddMinutes(-1), Now,
            Convert.ToBase64String(body), body, "raw");
    }
}
