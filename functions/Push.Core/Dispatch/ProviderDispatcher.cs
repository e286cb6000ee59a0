using Push.Core.Delivery;
using Push.Core.Registry;
using Push.Core.Routing;
using Push.Providers.Apns;
using Push.Providers.Fcm;
using Push.Providers.Results;

namespace Push.Core.Dispatch;

/// <summary>
/// Sends a composed push to its provider: APNs production or development by the device's environment
/// (a token from a development build is only valid at Apple's development endpoint), or FCM.
/// </summary>
public sealed class ProviderDispatcher : IPushDispatcher
{
    private readonly ApnsClientsByEnvironment _apns;
    private readonly IFcmClient _fcm;

    public ProviderDispatcher(ApnsClientsByEnvironment apns, IFcmClient fcm)
    {
        _apns = apns;
        _fcm = fcm;
    }

    public Task<PushResult> SendAsync(ComposedPush push, CancellationToken cancellationToken) => push switch
    {
        ComposedPush.Apns apns => _apns.For(apns.Environment).SendAsync(apns.Notification, cancellationToken),
        ComposedPush.Fcm fcm => _fcm.SendAsync(fcm.Message, cancellationToken),
        _ => throw new ArgumentException("not a provider push: " + push.GetType().Name, nameof(push)),
    };
}

/// <summary>The APNs client for each device environment; both may be the same client.</summary>
public sealed record ApnsClientsByEnvironment(IApnsClient Production, IApnsClient Development)
{
    public IApnsClient For(PushEnvironment environment) =>
        environment == PushEnvironment.Sandbox ? Development : Production;
}
