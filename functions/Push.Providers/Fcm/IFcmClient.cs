using Push.Providers.Results;

namespace Push.Providers.Fcm;

/// <summary>Sends one message through FCM HTTP v1. Thread-safe; one instance serves the whole process.</summary>
public interface IFcmClient
{
    /// <returns>Accepted (with FCM's message name) or rejected. Throws <see cref="PushTransportException"/> when no answer came.</returns>
    Task<PushResult> SendAsync(FcmMessage message, CancellationToken cancellationToken);
}
