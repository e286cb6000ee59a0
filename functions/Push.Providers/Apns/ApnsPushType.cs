namespace Push.Providers.Apns;

/// <summary>The <c>apns-push-type</c> values the relay sends.</summary>
public enum ApnsPushType
{
    Alert,
    Background,
    Voip,
}
