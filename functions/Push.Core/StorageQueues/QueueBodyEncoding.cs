namespace Push.Core.StorageQueues;

/// <summary>How a Storage-queue message's text carries its body (host.json <c>extensions.queues.messageEncoding</c>).</summary>
public enum QueueBodyEncoding
{
    /// <summary>The text is the body in base64: the Functions default, and what the Storage SDKs' Base64 option sends.</summary>
    Base64,

    /// <summary>The text is the body itself (UTF-8).</summary>
    None,
}
