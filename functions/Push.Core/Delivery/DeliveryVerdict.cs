namespace Push.Core.Delivery;

/// <summary>
/// What the transport should do with the message once the pipeline is done with it. The function
/// classes translate it into the transport's settlement (queue: delete / visibility / poison).
/// </summary>
public abstract record DeliveryVerdict
{
    private DeliveryVerdict() { }

    /// <summary>Every device has a final outcome (or the event needed no push): remove the message.</summary>
    public static readonly DeliveryVerdict Done = new DoneVerdict();

    public static DeliveryVerdict RetryLater(TimeSpan delay, string reason) => new RetryVerdict(delay, reason);

    /// <summary>Never retry: dead-letter now with a reason naming the problem.</summary>
    public static DeliveryVerdict DeadLetter(string reason, string description) => new DeadLetterVerdict(reason, description);

    public sealed record DoneVerdict : DeliveryVerdict;

    public sealed record RetryVerdict(TimeSpan Delay, string Reason) : DeliveryVerdict;

    public sealed record DeadLetterVerdict(string Reason, string Description) : DeliveryVerdict;
}
