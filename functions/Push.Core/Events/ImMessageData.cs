namespace Push.Core.Events;

/// <summary><c>push.im.message</c>: a new instant message.</summary>
public sealed record ImMessageData(
    string ConversationId,
    string MessageId,
    ImSender From,
    string Preview,
    int UnreadCount) : PushEventData
{
    public override string EventType => PushEventTypes.ImMessage;

    // Conversation ids reveal who talks to whom: like the preview, they are never printed.
    public override string ToString() => $"ImMessageData {{ MessageId = {MessageId}, UnreadCount = {UnreadCount} }}";
}
