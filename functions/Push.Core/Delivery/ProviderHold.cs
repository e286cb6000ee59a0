using Push.Providers.Results;

namespace Push.Core.Delivery;

/// <summary>A push not sent because its provider asked for quiet on its target (see <see cref="ProviderHolds"/>).</summary>
/// <param name="Reason">The provider's answer that set the hold: the held push is recorded with it, as a transient failure.</param>
/// <param name="Remaining">How long the hold still lasts: the held push's retry-after.</param>
public readonly record struct ProviderHold(HoldScope Scope, PushFailureReason Reason, TimeSpan Remaining)
{
    /// <summary>The scope as metrics and logs name it.</summary>
    public string ScopeName => Scope == HoldScope.Token ? "token" : "provider";
}
