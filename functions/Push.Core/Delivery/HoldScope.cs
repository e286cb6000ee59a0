namespace Push.Core.Delivery;

/// <summary>What a provider's Retry-After holds back: one device token, or a whole provider endpoint.</summary>
public enum HoldScope
{
    Token,
    Provider,
}
