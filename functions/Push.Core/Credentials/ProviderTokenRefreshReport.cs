namespace Push.Core.Credentials;

/// <summary>The result of one <see cref="ProviderTokenRefresher.RunAsync"/>.</summary>
public sealed record ProviderTokenRefreshReport(ProviderTokenRefreshOutcome Apns, ProviderTokenRefreshOutcome Fcm)
{
    public bool Failed => Apns == ProviderTokenRefreshOutcome.Failed || Fcm == ProviderTokenRefreshOutcome.Failed;
}
