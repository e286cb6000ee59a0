namespace Push.Sandbox;

/// <summary>Which stand-in a fault or record belongs to.</summary>
public enum SandboxProvider
{
    Apns,
    Fcm,

    /// <summary>The OAuth token endpoint (on the FCM port); a fault's device token is the service account's client_email.</summary>
    OAuth,
}
