using System.Text.Json;
using Push.Core.Events;
using Push.Providers.Results;

namespace Push.Core.DeadLetters;

/// <summary>
/// Decides what becomes of a dead-lettered message from the reason the relay or the host wrote
/// (see <c>EventDelivery</c> and the host's <c>DeadLetterReasons</c>) and, for calls, from the event itself.
/// </summary>
public static class DeadLetterClassifier
{
    /// <summary>The relay's prefix for events that failed validation: malformed, never replayed.</summary>
    public const string InvalidEventPrefix = "InvalidEvent:";

    /// <summary>The relay's prefix for events still failing at a provider on their last delivery.</summary>
    public const string RetriesExhaustedPrefix = "RetriesExhausted:";

    /// <summary>The host's reason for a function that failed on every delivery.</summary>
    public const string MaxDequeueCountExceeded = "MaxDequeueCountExceeded";

    /// <summary>The host's reason for a message text that is not valid for the queue's encoding.</summary>
    public const string UndecodableMessage = "UndecodableMessage";

    /// <summary>
    /// The class a reason implies on its own. <c>RetriesExhausted:&lt;reason&gt;</c> follows the provider reason's
    /// <see cref="PushFailureReasonExtensions.IsTransient"/>; <c>MaxDequeueCountExceeded</c> is transient (the function
    /// threw each time, e.g. Storage was down), bounded by the replay cap; anything unknown is permanent, because replaying
    /// what nobody understands could repeat the harm.
    /// </summary>
    public static DeadLetterClass Classify(string reason, string? description)
    {
        ArgumentNullException.ThrowIfNull(reason);
        _ = description; // The relay's descriptions add detail for people; the reason alone decides.
        if (reason == UndecodableMessage || reason == DeadLetterEntry.UnreadableReason) return DeadLetterClass.Corrupt;
        if (reason == MaxDequeueCountExceeded) return DeadLetterClass.Transient;
        if (reason.StartsWith(InvalidEventPrefix, StringComparison.Ordinal)) return DeadLetterClass.Permanent;
        if (reason.StartsWith(RetriesExhaustedPrefix, StringComparison.Ordinal))
        {
            var provider = reason.AsSpan(RetriesExhaustedPrefix.Length);
            // Parsed by name only: a number would silently map to some enum member.
            return provider.Length > 0 && !char.IsAsciiDigit(provider[0]) && !provider.Contains('-')
                   && Enum.TryParse<PushFailureReason>(provider, ignoreCase: false, out var failure) && failure.IsTransient()
                ? DeadLetterClass.Transient
                : DeadLetterClass.Permanent;
        }
        return DeadLetterClass.Permanent;
    }

    /// <summary>
    /// The full assessment of an entry at <paramref name="now"/>: the reason's class, then the event's own facts. A
    /// transient <c>push.call.incoming</c> whose ring time (its <c>time</c> + <c>ringTimeoutSeconds</c>) has passed becomes
    /// <see cref="DeadLetterClass.ExpiredCall"/>. A permanent reason stays permanent, so the real fault stays visible.
    /// </summary>
    public static DeadLetterAssessment Assess(DeadLetterEntry entry, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (!entry.IsReadable) return new DeadLetterAssessment(DeadLetterClass.Corrupt, null, null, "the dead-letter record cannot be read");
        var (trackingId, eventType) = entry.OriginalBody is { } body ? ReadIdentity(body) : (null, null);
        var cls = Classify(entry.Reason, entry.Description);
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
        return new DeadLetterAssessment(cls, trackingId, eventType);
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
