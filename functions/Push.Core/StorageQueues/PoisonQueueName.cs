namespace Push.Core.StorageQueues;

/// <summary>The Functions host's naming of a Storage queue's poison queue.</summary>
public static class PoisonQueueName
{
    public const string Suffix = "-poison";

    public static string Of(string queue)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(queue);
        return queue + Suffix;
    }
}
