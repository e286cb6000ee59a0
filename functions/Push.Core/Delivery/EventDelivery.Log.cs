using Microsoft.Extensions.Logging;
using Push.Core.Events;
using Push.Core.Registry;
using Push.Core.Routing;
using Push.Providers.Results;

namespace Push.Core.Delivery;

// Fixed event ids 3300-3399. Never a token, key, name, number or preview: device and user ids appear
// only as short hashes; the tracking id is the one identifier meant to travel in clear.
public sealed partial class EventDelivery
{
    [LoggerMessage(3301, LogLevel.Warning, "Event in message {MessageId} rejected: {Code} at '{Field}': {Problem}")]
    private partial void LogEventRejected(string messageId, EventProblemCode code, string field, string problem);

    [LoggerMessage(3302, LogLevel.Warning, "Event {TrackingId} of type {Type} arrived on the {Route} queue, which does not take it")]
    private partial void LogWrongQueue(string trackingId, string type, EventRoute route);

    [LoggerMessage(3303, LogLevel.Information, "Event {TrackingId} ({Type}) applied to the registry for user {UserHash}")]
    private partial void LogDeviceEventApplied(string trackingId, string type, string userHash);

    [LoggerMessage(3304, LogLevel.Information, "Event {TrackingId}: user {UserHash} has no registered device")]
    private partial void LogNoDevices(string trackingId, string userHash);

    // Debug: one line per push is the bulk of a drain's log (and in the isolated worker each line is a gRPC message to the
    // host); the ledger row (push trace) and the push.sent metric carry the same fact.
    [LoggerMessage(3305, LogLevel.Debug, "Event {TrackingId} delivered to device {DeviceHash} via {Provider}")]
    private partial void LogDelivered(string trackingId, string deviceHash, string provider);

    [LoggerMessage(3315, LogLevel.Information, "Event {TrackingId} ({Type}) done: {Delivered} device(s) delivered, {OtherOutcomes} with another final outcome, {AlreadyFinal} already on record")]
    private partial void LogEventDone(string trackingId, string type, int delivered, int otherOutcomes, int alreadyFinal);

    [LoggerMessage(3306, LogLevel.Information, "Event {TrackingId} expired before it could ring device {DeviceHash}")]
    private partial void LogExpired(string trackingId, string deviceHash);

    [LoggerMessage(3307, LogLevel.Warning, "Event {TrackingId} cannot be sent to device {DeviceHash}: {Reason}")]
    private partial void LogNotSendable(string trackingId, string deviceHash, UnsendableReason reason);

    [LoggerMessage(3308, LogLevel.Warning, "Event {TrackingId} to device {DeviceHash}: {Provider} did not answer ({Reason})")]
    private partial void LogTransportFailure(string trackingId, string deviceHash, string provider, PushFailureReason reason);

    [LoggerMessage(3309, LogLevel.Information, "Event {TrackingId} to device {DeviceHash}: {Provider} says the token is invalid ({Reason}); token {Removal}")]
    private partial void LogTokenRejected(string trackingId, string deviceHash, string provider, PushFailureReason reason, TokenRemovalOutcome removal);

    [LoggerMessage(3310, LogLevel.Warning, "Event {TrackingId} to device {DeviceHash}: {Provider} answered {Status} {Reason}; will retry")]
    private partial void LogTransientRejection(string trackingId, string deviceHash, string provider, PushFailureReason reason, int? status);

    [LoggerMessage(3311, LogLevel.Error, "Event {TrackingId} to device {DeviceHash}: {Provider} refused it ({Status} {Reason}); dead-lettered")]
    private partial void LogPermanentRejection(string trackingId, string deviceHash, string provider, PushFailureReason reason, int? status);

    [LoggerMessage(3312, LogLevel.Information, "Event {TrackingId}: {Count} device(s) pending ({Reason}); redelivery in {Delay}")]
    private partial void LogRetryScheduled(string trackingId, int count, string reason, TimeSpan delay);

    [LoggerMessage(3313, LogLevel.Error, "Event {TrackingId}: the payload key of device {DeviceHash} cannot be unwrapped; dead-lettered")]
    private partial void LogDeviceKeyUnreadable(string trackingId, string deviceHash);

    [LoggerMessage(3314, LogLevel.Warning, "Event {TrackingId}: none of the {Registered} registered device(s) of user {UserHash} is one the event named; nothing pushed")]
    private partial void LogNoMatchingDevices(string trackingId, string userHash, int registered);
}
