using Push.Core.DeadLetters;

namespace Push.Core.Delivery;

/// <summary>
/// What the transport should do with the message once the pipeline is done with it: the one settlement type. Each
/// transport carries it out in its own terms (Storage queues: return, re-enqueue a delayed copy, or poison with the
/// reason recorded; Service Bus: complete, schedule a copy, or dead-letter with the reason).
/// </summary>
public abstract record DeliveryVerdict
{
    private DeliveryVerdict() { }

    /// <summary>Every device has a final outcome (or the event needed no push): remove the message.</summary>
    public static readonly DeliveryVerdict Done = new DoneVerdict();

    public static DeliveryVerdict RetryLater(TimeSpan delay, string reason) => new RetryVerdict(delay, reason);

    /// <summary>Never retry: dead-letter now with a reason naming the problem.</summary>
    public static DeliveryVerdict DeadLetter(DeadLetterReason reason, string description) => new DeadLetterVerdict(reason, description);

    public sealed record DoneVerdict : DeliveryVerdict;

    public sealed record RetryVerdict(TimeSpan Delay, string Reason) : DeliveryVerdict;

    public sealed record DeadLetterVerdict(DeadLetterReason Reason, string Description) : DeliveryVerdict;
}
