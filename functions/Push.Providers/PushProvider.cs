namespace Push.Providers;

public enum PushProvider
{
    Apns,
    Fcm,
}
