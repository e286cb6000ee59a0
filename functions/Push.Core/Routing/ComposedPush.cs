using Push.Core.Registry;
using Push.Providers.Apns;
using Push.Providers.Fcm;

namespace Push.Core.Routing;

/// <summary>The plan for one event on one device: a request for APNs or FCM, or why there is none.</summary>
public abstract record ComposedPush
{
    private ComposedPush()
    {
    }

    /// <param name="Environment">Which APNs endpoint the device's token belongs to (sandbox or production).</param>
    public sealed record Apns(ApnsNotification Notification, PushEnvironment Environment) : ComposedPush
    {
        public override string ToString() =>
            $"Apns {{ PushType = {Notification.PushType}, Topic = {Notification.Topic}, Environment = {Environment}, PayloadBytes = {Notification.Payload.Length} }}";
    }

    public sealed record Fcm(FcmMessage Message) : ComposedPush
    {
        public override string ToString() =>
            $"Fcm {{ Priority = {Message.Priority}, TimeToLive = {Message.TimeToLive}, DataBytes = {FcmMessage.DataSize(Message.Data)} }}";
    }

    /// <summary>Too late to be useful: a call that has stopped ringing, or a message older than its time to live.</summary>
    public sealed record Expired(DateTimeOffset ExpiredAt) : ComposedPush;

    public sealed record NotSendable(UnsendableReason Reason) : ComposedPush;
}
