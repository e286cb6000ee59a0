using System.Text;

namespace Push.Hosting.Queues;

/// <summary>
/// What the host writes to <c>&lt;queue&gt;-poison</c>: why a message was given up, and the message text exactly as it
/// was, so a replay tool can put it back unchanged. Read and write it with <see cref="DeadLetterRecordSerializer"/>.
/// </summary>
public sealed record DeadLetterRecord
{
    /// <summary>The schema this build writes; readers accept it and older ones.</summary>
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    /// <summary>The queue the message was taken from.</summary>
    public required string QueueName { get; init; }

    public required string MessageId { get; init; }

    /// <summary>The function bound to the queue, when one was.</summary>
    public string? FunctionName { get; init; }

    /// <summary>A short fixed reason, e.g. <see cref="DeadLetterReasons.MaxDequeueCountExceeded"/>.</summary>
    public required string Reason { get; init; }

    /// <summary>Details without message content (e.g. the last retry reason).</summary>
    public string? Description { get; init; }

    /// <summary>The type of the exception of the last failed attempt; never its message, which may quote data.</summary>
    public string? ExceptionType { get; init; }

    public long DequeueCount { get; init; }

    public DateTimeOffset? InsertedOn { get; init; }

    public DateTimeOffset? ExpiresOn { get; init; }

    /// <summary>When the last delivery was received.</summary>
    public DateTimeOffset? ReceivedOn { get; init; }

    public DateTimeOffset DeadLetteredOn { get; init; }

    /// <summary>The source queue's messageEncoding ("base64" or "none"): how the original text carries the body.</summary>
    public required string MessageEncoding { get; init; }

    /// <summary>Base64 of the original message text's UTF-8 bytes, exactly as the queue held it.</summary>
    public required string OriginalMessage { get; init; }

    /// <summary>The original message text, ready to be sent back to <see cref="QueueName"/> unchanged.</summary>
    public string GetOriginalMessageText() => Encoding.UTF8.GetString(Convert.FromBase64String(OriginalMessage));

    /// <summary>The original body decoded per <see cref="MessageEncoding"/>, or null when it never was decodable.</summary>
    public BinaryData? TryGetOriginalBody()
    {
        var text = GetOriginalMessageText();
        if (!string.Equals(MessageEncoding, "base64", StringComparison.OrdinalIgnoreCase)) return BinaryData.FromString(text);
        return MessageCodec.TryDecode(text, QueueMessageEncoding.Base64, out var body) ? body : null;
    }
}
