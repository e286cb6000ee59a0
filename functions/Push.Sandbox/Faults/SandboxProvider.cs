namespace Push.Sandbox;

/// <summary>Which stand-in a fault or record belongs to.</summary>
public enum SandboxProvider
{
    Apns,
    Fcm,
}
