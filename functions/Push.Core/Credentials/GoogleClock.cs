namespace Push.Core.Credentials;

/// <summary>Google.Apis' clock over our <see cref="TimeProvider"/>, so the OAuth assertion's iat/exp follow the injected time.</summary>
internal sealed class GoogleClock(TimeProvider timeProvider) : Google.Apis.Util.IClock
{
    public DateTime Now => timeProvider.GetLocalNow().DateTime;

    public DateTime UtcNow => timeProvider.GetUtcNow().UtcDateTime;
}
