namespace Push.Hosting.Queues;

/// <summary>The dead-letter reasons the host itself gives; functions add their own through <see cref="QueueSettlement.DeadLetter"/>.</summary>
public static class DeadLetterReasons
{
    /// <summary>The message failed, or asked for a retry, on its last allowed delivery.</summary>
    public const string MaxDequeueCountExceeded = "MaxDequeueCountExceeded";

    /// <summary>The message text is not valid for the queue's <c>messageEncoding</c>.</summary>
    public const string UndecodableMessage = "UndecodableMessage";
}
