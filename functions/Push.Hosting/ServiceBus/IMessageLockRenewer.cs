namespace Push.Hosting.ServiceBus;

/// <summary>Renews a peek-lock. Service Bus has one; RabbitMQ holds an unsettled delivery as long as the link lives, so it needs none.</summary>
internal interface IMessageLockRenewer : IAsyncDisposable
{
    /// <summary>Renews the lock of <paramref name="lockToken"/>; returns its new expiry (null if the peer did not say).</summary>
    Task<DateTimeOffset?> RenewAsync(Guid lockToken, CancellationToken cancellationToken);
}
