using System.Text.Json;
using Push.Core.Events;
using Push.Providers.Results;

namespace Push.Core.DeadLetters;

/// <summary>
/// Decides what becomes of a dead-lettered message from its <see cref="DeadLetterReason"/>, the ledger's last failure
/// for it (when the transport gave up without a reason) and, for calls, from the event itself.
/// </summary>
public static class DeadLetterClassifier
{
    /// <summary>
    /// The class a reason implies on its own. A spent retry budget follows the provider reason's
    /// <see cref="PushFailureReasonExtensions.IsTransient"/>. A delivery count the transport ran out of is not enough on its
    /// own: the relay's own retries never use it up, so it means the function failed (threw) on every delivery — a bug
    /// or an outage of the relay's own storage — and replaying it blindly could repeat the harm; see
    /// <see cref="Assess"/> for the ledger evidence that makes one transient. Anything unknown is permanent.
    /// </summary>
    public static DeadLetterClass Classify(DeadLetterReason reason) => reason.Cause switch
    {
        DeadLetterCause.UndecodableMessage => DeadLetterClass.Corrupt,
        DeadLetterCause.RetriesExhausted => reason.ProviderFailure is { } failure && failure.IsTransient()
            ? DeadLetterClass.Transient
            : DeadLetterClass.Permanent,
        _ => DeadLetterClass.Permanent,
    };

    /// <summary>
    /// The full assessment of an entry at <paramref name="now"/>. A reason that only says the transport gave up becomes
    /// transient when the ledger's last failure for the event (<paramref name="lastFailure"/>) was a transient provider
    /// failure. A transient <c>push.call.incoming</c> whose ring time (its <c>time</c> + <c>ringTimeoutSeconds</c>) has
    /// passed becomes <see cref="DeadLetterClass.ExpiredCall"/>. A permanent reason stays permanent, so the real fault
    /// stays visible.
    /// </summary>
    public static DeadLetterAssessment Assess(DeadLetterEntry entry, DateTimeOffset now, PushFailureReason? lastFailure = null)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (!entry.IsReadable) return new DeadLetterAssessment(DeadLetterClass.Corrupt, null, null, "the dead-letter entry cannot be read");
        var (trackingId, eventType) = entry.OriginalBody is { } body ? ReadIdentity(body) : (null, null);
        var cls = Classify(entry.Reason);
        string? detail = null;
        if (entry.Reason.IsDeliveryCountExhausted)
        {
            (cls, detail) = lastFailure is { } failure
                ? (failure.IsTransient() ? DeadLetterClass.Transient : DeadLetterClass.Permanent, "LastFailure:" + failure)
                : (DeadLetterClass.Permanent, "NoFailureRecorded");
        }
        if (cls == DeadLetterClass.Transient && entry.OriginalBody is { } original && eventType == PushEventTypes.CallIncoming)
        {
            var parsed = PushEventParser.Parse(original);
            if (parsed.IsSuccess && parsed.Event.Data is CallIncomingData call &&
                parsed.Event.Time.AddSeconds(call.RingTimeoutSeconds) <= now)
            {
                return new DeadLetterAssessment(DeadLetterClass.ExpiredCall, trackingId, eventType, "RingTimeElapsed");
            }
        }
        if (cls == DeadLetterClass.Transient && entry.OriginalBody is null)
        {
            // Nothing readable to replay: the original never decoded.
            return new DeadLetterAssessment(DeadLetterClass.Corrupt, trackingId, eventType, "the original message does not decode");
        }
        return new DeadLetterAssessment(cls, trackingId, eventType, detail);
    }

    /// <summary>The event's <c>id</c> and <c>type</c> when the body is JSON with them, valid event or not.</summary>
    public static (string? TrackingId, string? EventType) ReadIdentity(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
            if (document.RootElement.ValueKind != JsonValueKind.Object) return (null, null);
            return (ShortString(document.RootElement, "id"), ShortString(document.RootElement, "type"));
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    // Clipped and printable only: these end up in table columns and log lines.
    private static string? ShortString(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String) return null;
        var text = value.GetString();
        if (string.IsNullOrEmpty(text) || text.Length > 256 || text.Any(char.IsControl)) return null;
        return text;
    }
}
