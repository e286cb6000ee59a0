namespace Push.Sandbox;

/// <summary>A message the FCM stand-in accepted (status 200).</summary>
/// <param name="Token">The registration token; for topic or condition messages, "/topics/…" or the condition.</param>
/// <param name="AndroidPriority">android.priority lower-cased ("high"/"normal"), null when absent.</param>
public sealed record RecordedFcmMessage(
    string ProjectId,
    string Token,
    IReadOnlyDictionary<string, string> Data,
    string? AndroidPriority,
    string? Ttl,
    string? CollapseKey,
    string MessageName,
    string RawBody,
    DateTimeOffset ReceivedAt);
