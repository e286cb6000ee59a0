using Push.Core.Events;
using Push.Providers.Results;

namespace Push.Core.DeadLetters;

/// <summary>What gave up on a message: the relay (a bad event, a spent retry budget) or its transport (a count).</summary>
public enum DeadLetterCause
{
    /// <summary>The event failed validation (detail: the <see cref="EventProblemCode"/>, or <c>WrongQueue</c>). Never replayed.</summary>
    InvalidEvent,

    /// <summary>A provider kept failing until the retry budget was spent (detail: the last <see cref="PushFailureReason"/>).</summary>
    RetriesExhausted,

    /// <summary>The Functions Storage-queue host: the function failed on <c>maxDequeueCount</c> deliveries in a row.</summary>
    MaxDequeueCountExceeded,

    /// <summary>Service Bus: the message was abandoned (or its lock lost) <c>MaxDeliveryCount</c> times.</summary>
    MaxDeliveryCountExceeded,

    /// <summary>The message text is not valid for the queue's <c>messageEncoding</c>.</summary>
    UndecodableMessage,

    /// <summary>A reason the relay does not write (another tool's, or Service Bus's own such as <c>TTLExpiredException</c>).</summary>
    Other,
}

/// <summary>
/// Why a message was dead-lettered: the one type every writer (the pipeline, the Storage and Service Bus settlement) and
/// the classifier share. Its text form is what the reason row, Service Bus's <c>DeadLetterReason</c> property and the
/// archive carry: <c>InvalidEvent:MissingField</c>, <c>RetriesExhausted:ServiceUnavailable</c>, <c>MaxDequeueCountExceeded</c>.
/// </summary>
public readonly record struct DeadLetterReason
{
    /// <summary>The detail of an event that belongs on another queue.</summary>
    public const string WrongQueueDetail = "WrongQueue";

    private const int MaxDetailLength = 128;

    private DeadLetterReason(DeadLetterCause cause, string? detail)
    {
        Cause = cause;
        Detail = detail;
    }

    public DeadLetterCause Cause { get; }

    /// <summary>The problem code, provider reason, or (for <see cref="DeadLetterCause.Other"/>) the text as written.</summary>
    public string? Detail { get; }

    public static DeadLetterReason MaxDequeueCountExceeded { get; } = new(DeadLetterCause.MaxDequeueCountExceeded, null);

    public static DeadLetterReason MaxDeliveryCountExceeded { get; } = new(DeadLetterCause.MaxDeliveryCountExceeded, null);

    public static DeadLetterReason UndecodableMessage { get; } = new(DeadLetterCause.UndecodableMessage, null);

    public static DeadLetterReason WrongQueue { get; } = new(DeadLetterCause.InvalidEvent, WrongQueueDetail);

    public static DeadLetterReason InvalidEvent(EventProblemCode code) => new(DeadLetterCause.InvalidEvent, code.ToString());

    public static DeadLetterReason RetriesExhausted(PushFailureReason last) => new(DeadLetterCause.RetriesExhausted, last.ToString());

    /// <summary>For a retries-exhausted reason, the provider's last failure; otherwise null.</summary>
    public PushFailureReason? ProviderFailure =>
        Cause == DeadLetterCause.RetriesExhausted && Detail is { Length: > 0 } detail && !char.IsAsciiDigit(detail[0])
            && Enum.TryParse<PushFailureReason>(detail, ignoreCase: false, out var failure)
            ? failure
            : null;

    /// <summary>The transport gave up after a number of failed deliveries, without the relay saying why.</summary>
    public bool IsDeliveryCountExhausted =>
        Cause is DeadLetterCause.MaxDequeueCountExceeded or DeadLetterCause.MaxDeliveryCountExceeded;

    /// <summary>
    /// Reads a reason as any writer wrote it. Never throws: a text the relay does not write is <see cref="DeadLetterCause.Other"/>
    /// with the text (clipped, printable only) as its detail.
    /// </summary>
    public static DeadLetterReason Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return new(DeadLetterCause.Other, null);
        var separator = text.IndexOf(':', StringComparison.Ordinal);
        var head = separator < 0 ? text : text[..separator];
        var detail = separator < 0 ? null : text[(separator + 1)..];
        // By name only: a number would silently map to some enum member.
        if (head.Length > 0 && !char.IsAsciiDigit(head[0]) && Enum.TryParse<DeadLetterCause>(head, ignoreCase: false, out var cause)
            && cause != DeadLetterCause.Other
            && (detail is null) == (cause is DeadLetterCause.MaxDequeueCountExceeded or DeadLetterCause.MaxDeliveryCountExceeded or DeadLetterCause.UndecodableMessage)
            && (detail is null || IsPlainDetail(detail)))
        {
            return new(cause, detail);
        }
        return new(DeadLetterCause.Other, Printable(text));
    }

    public override string ToString() => Cause switch
    {
        DeadLetterCause.Other => Detail ?? "Unknown",
        _ when Detail is null => Cause.ToString(),
        _ => $"{Cause}:{Detail}",
    };

    private static bool IsPlainDetail(string detail) =>
        detail.Length is > 0 and <= MaxDetailLength && detail.All(char.IsAsciiLetterOrDigit);

    private static string Printable(string text)
    {
        var clipped = text.Length > MaxDetailLength ? text[..MaxDetailLength] : text;
        return new string(clipped.Select(c => char.IsControl(c) ? '?' : c).ToArray());
    }
}
