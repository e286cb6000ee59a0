using Push.Providers.Fcm;

namespace Push.Providers.Tests.Support;

internal sealed class FakeFcmTokenSource : IFcmAccessTokenSource
{
    private int _version = 1;

    public int Refreshes;

    public FcmAccessToken Current => new("ya29.fake-access-token-" + Volatile.Read(ref _version), DateTimeOffset.MaxValue);

    public ValueTask<FcmAccessToken> GetAsync(CancellationToken cancellationToken) => ValueTask.FromResult(Current);

    public ValueTask<FcmAccessToken> RefreshAfterRejectionAsync(FcmAccessToken rejected, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Refreshes);
        Interlocked.Increment(ref _version);
        return ValueTask.FromResult(Current);
    }
}
