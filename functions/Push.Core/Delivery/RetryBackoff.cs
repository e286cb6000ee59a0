namespace Push.Core.Delivery;

/// <summary>
/// The queue-level back-off (the second of the two retry budgets STYLE.md keeps apart): exponential
/// back-off with jitter between attempts, never shorter than the provider's Retry-After.
/// </summary>
public sealed class RetryBackoff
{
    private readonly DeliveryOptions _options;

    public RetryBackoff(DeliveryOptions options) => _options = options;

    /// <param name="attempt">The attempt that just failed: 1 for the first.</param>
    public TimeSpan Next(int attempt, TimeSpan? retryAfter)
    {
        var exponent = Math.Clamp(attempt - 1, 0, 16);
        var ceiling = Math.Min(_options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, exponent), _options.RetryMaxDelay.TotalMilliseconds);
        // Half fixed, half random: enough spread to avoid a thundering herd, never near zero.
        var jittered = TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
        return retryAfter is { } floor && floor > jittered ? floor : jittered;
    }
}
