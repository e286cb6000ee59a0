namespace Push.Core.Delivery;

/// <summary>Configuration section "Delivery", checked by <see cref="DeliveryOptionsValidator"/>.</summary>
public sealed class DeliveryOptions
{
    public const string SectionName = "Delivery";

    /// <summary>The first redelivery waits about this long (then doubles). Default 2 s.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>No redelivery waits longer than this (unless Retry-After says so). Default 5 minutes.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a push keeps being retried after its first attempt failed transiently (an outage, throttling, a network
    /// failure), whatever the transport's delivery count: then the event is dead-lettered with the provider's reason. A
    /// ringing call is retried only within its ring time. Default 20 minutes, which outlasts most provider outages.
    /// </summary>
    public TimeSpan RetryBudget { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>How many devices of one event are pushed at once. Default 16.</summary>
    public int MaxParallelDevices { get; set; } = 16;

    /// <summary>
    /// How long a device's ledger row may wait for the rest of its event's devices to answer, so the rows go in one
    /// Table transaction. An answered device is pushed again after a crash only inside this window. Default 50 ms;
    /// zero writes each row as soon as its device answers.
    /// </summary>
    public TimeSpan LedgerGroupCommitWindow { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// While this instance delivers a call, an instant message waits at most this long before it starts (calls go
    /// first; see <see cref="CallPriority"/>). Default 1 s; zero lets messages start whatever the calls do.
    /// </summary>
    public TimeSpan MessageYieldLimit { get; set; } = TimeSpan.FromSeconds(1);
}
