namespace Push.Providers.Fcm;

/// <summary>Google.Apis' clock over our <see cref="TimeProvider"/>, so JWT iat/exp follow the injected time.</summary>
internal sealed class TimeProviderClock(TimeProvider timeProvider) : Google.Apis.Util.IClock
{
    public DateTime Now => timeProvider.GetLocalNow().DateTime;

    public DateTime UtcNow => timeProvider.GetUtcNow().UtcDateTime;
}
