namespace Push.Hosting.ServiceBus;

/// <summary>The peer refused to renew a lock (it has expired or the message was settled elsewhere).</summary>
internal sealed class MessageLockLostException(int status, string? description)
    : Exception($"lock renewal refused (status {status}: {description})")
{
    public int Status { get; } = status;
}
