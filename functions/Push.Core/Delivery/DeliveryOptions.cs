using System.ComponentModel.DataAnnotations;

namespace Push.Core.Delivery;

/// <summary>Configuration section "Delivery".</summary>
public sealed class DeliveryOptions
{
    public const string SectionName = "Delivery";

    /// <summary>The first redelivery waits about this long (then doubles). Default 2 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00", ErrorMessage = "Delivery:RetryBaseDelay must be between 10 ms and 10 minutes.")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>No redelivery waits longer than this (unless Retry-After says so). Default 5 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00", ErrorMessage = "Delivery:RetryMaxDelay must be between 10 ms and 1 hour.")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a push keeps being retried after its first attempt failed transiently (an outage, throttling, a network
    /// failure), whatever the transport's delivery count: then the event is dead-lettered with the provider's reason. A
    /// ringing call is retried only within its ring time. Default 20 minutes, which outlasts most provider outages.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00", ErrorMessage = "Delivery:RetryBudget must be between 0 and 7 days.")]
    public TimeSpan RetryBudget { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>How many devices of one event are pushed at once. Default 16.</summary>
    [Range(1, 256, ErrorMessage = "Delivery:MaxParallelDevices must be between 1 and 256.")]
    public int MaxParallelDevices { get; set; } = 16;

    /// <summary>
    /// How long a device's ledger row may wait for the rest of its event's devices to answer, so the rows go in one
    /// Table transaction. An answered device is pushed again after a crash only inside this window. Default 50 ms;
    /// zero writes each row as soon as its device answers.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:05", ErrorMessage = "Delivery:LedgerGroupCommitWindow must be between 0 and 5 seconds.")]
    public TimeSpan LedgerGroupCommitWindow { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// While this instance delivers a call, an instant message waits at most this long before it starts (calls go
    /// first; see <see cref="CallPriority"/>). Default 1 s; zero lets messages start whatever the calls do.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:30", ErrorMessage = "Delivery:MessageYieldLimit must be between 0 and 30 seconds.")]
    public TimeSpan MessageYieldLimit { get; set; } = TimeSpan.FromSeconds(1);
}
