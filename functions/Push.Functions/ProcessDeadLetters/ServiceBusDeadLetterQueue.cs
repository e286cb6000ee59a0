using Push.Core.DeadLetters;
using Push.Hosting.ServiceBus;

namespace Push.Functions.ProcessDeadLetters;

/// <summary>
/// Triage's view of the Service Bus dead-letter queues (<c>&lt;queue&gt;/$DeadLetterQueue</c>; on RabbitMQ
/// <c>&lt;queue&gt;-poison</c>), over the host's <see cref="ServiceBusDeadLetterReader"/>.
/// </summary>
/// <remarks>
/// <para>Reason and description are the <c>DeadLetterReason</c> / <c>DeadLetterErrorDescription</c> application properties
/// Service Bus sets from the trigger's dead-letter disposition. RabbitMQ drops them (it records <c>x-death</c>, whose
/// reason is only "rejected"): such entries get the reason <see cref="UnknownReason"/>, which the classifier treats as
/// permanent, so they are archived, never replayed.</para>
/// <para>The original text (the replay-count key and the archived form) is the body in base64, as on Storage queues;
/// the replay sends the body back with the same message-id. The lease is the broker's: Service Bus keeps the lock for
/// the queue's lock duration, RabbitMQ until the reader lets go. A hide keeps the entry held until its delay has
/// passed (given back by a later receive), or until the broker ends the lock.</para>
/// </remarks>
public sealed class ServiceBusDeadLetterQueue(ServiceBusDeadLetterReader reader) : IDeadLetterQueue
{
    /// <summary>The reason of a dead letter that carries none (RabbitMQ, or a message dead-lettered without one).</summary>
    public const string UnknownReason = "Unknown";

    public async Task<IReadOnlyList<DeadLetterEntry>> ReceiveAsync(string sourceQueue, int maxEntries, TimeSpan lease, CancellationToken cancellationToken)
    {
        var received = await reader.ReceiveAsync(sourceQueue, maxEntries, cancellationToken).ConfigureAwait(false);
        return received.Select(ToEntry).ToList();
    }

    public Task ReplayAsync(DeadLetterEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var body = entry.OriginalBody ?? throw new InvalidOperationException("an unreadable entry cannot be replayed");
        return reader.ResendAsync(entry.SourceQueue, body, entry.MessageId, cancellationToken);
    }

    public Task DeleteAsync(DeadLetterEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return reader.CompleteAsync(entry.Receipt, cancellationToken);
    }

    public Task HideAsync(DeadLetterEntry entry, TimeSpan delay, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return reader.HoldAsync(entry.Receipt, delay);
    }

    /// <summary>The transport-free entry triage works on.</summary>
    public static DeadLetterEntry ToEntry(ServiceBusDeadLetter deadLetter)
    {
        ArgumentNullException.ThrowIfNull(deadLetter);
        var poisonId = deadLetter.SequenceNumber?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? deadLetter.MessageId;
        var deadLetteredOn = deadLetter.EnqueuedTime ?? deadLetter.ReceivedOn;
        if (deadLetter.Body is not { } body)
        {
            return new DeadLetterEntry(deadLetter.QueueName, poisonId, deadLetter.Handle, deadLetter.MessageId, DeadLetterEntry.UnreadableReason,
                null, deadLetter.DeliveryCount, deadLetter.EnqueuedTime, deadLetteredOn, null, null, "");
        }
        var text = Convert.ToBase64String(body.Span);
        return new DeadLetterEntry(deadLetter.QueueName, poisonId, deadLetter.Handle, deadLetter.MessageId,
            deadLetter.DeadLetterReason ?? UnknownReason, deadLetter.DeadLetterErrorDescription, deadLetter.DeliveryCount,
            deadLetter.EnqueuedTime, deadLetteredOn, text, body, text);
    }
}
