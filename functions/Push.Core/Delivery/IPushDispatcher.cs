using Push.Core.Routing;
using Push.Providers.Results;

namespace Push.Core.Delivery;

/// <summary>
/// Sends a composed push to the provider it is meant for (APNs production or development, FCM).
/// Returns the provider's answer; throws <see cref="PushTransportException"/> when none came.
/// </summary>
public interface IPushDispatcher
{
    Task<PushResult> SendAsync(ComposedPush push, CancellationToken cancellationToken);
}
