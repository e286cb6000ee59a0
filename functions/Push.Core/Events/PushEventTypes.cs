namespace Push.Core.Events;

/// <summary>The CloudEvents <c>type</c> values the relay accepts.</summary>
public static class PushEventTypes
{
    public const string CallIncoming = "push.call.incoming";
    public const string CallEnded = "push.call.ended";
    public const string ImMessage = "push.im.message";
    public const string DeviceRegistered = "push.device.registered";
    public const string DeviceUnregistered = "push.device.unregistered";

    public static IReadOnlyList<string> All { get; } =
        [CallIncoming, CallEnded, ImMessage, DeviceRegistered, DeviceUnregistered];

    /// <summary>Whether events of this type are pushed to devices (rather than changing the registry).</summary>
    public static bool IsDeliverable(string type) => type is CallIncoming or CallEnded or ImMessage;
}
