using Push.Providers.Results;

namespace Push.Providers.Apns;

/// <summary>Sends one notification to APNs. Thread-safe; one instance serves the whole process.</summary>
public interface IApnsClient
{
    /// <returns>Accepted or rejected. Throws <see cref="PushTransportException"/> when no answer came.</returns>
    Task<PushResult> SendAsync(ApnsNotification notification, CancellationToken cancellationToken);
}
