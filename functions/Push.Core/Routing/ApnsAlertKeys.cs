namespace Push.Core.Routing;

/// <summary>
/// The <c>loc-key</c>s of the generic alerts, the only text shown in clear; the apps localise them and their
/// notification service extension replaces them with the decrypted details.
/// </summary>
public static class ApnsAlertKeys
{
    public const string IncomingCall = "PUSH_INCOMING_CALL";
    public const string CallEnded = "PUSH_CALL_ENDED";
    public const string NewMessage = "PUSH_NEW_MESSAGE";
}
