using Microsoft.Extensions.Configuration;
using Push.Core.DeadLetters;
using Push.Hosting.ServiceBus;

namespace Push.Cli.DeadLetters;

/// <summary>
/// The Service Bus dead-letter queues for <c>push dlq</c> (<c>&lt;queue&gt;/$DeadLetterQueue</c>; on RabbitMQ
/// <c>&lt;queue&gt;-poison</c>): the host's <see cref="ServiceBusDeadLetterReader"/> seen as triage's
/// <see cref="IDeadLetterQueue"/>, with the same mapping as the relay's ServiceBusDeadLetterQueue (which the CLI does not
/// reference). An entry without a <c>DeadLetterReason</c> (RabbitMQ keeps none) has the reason <c>Unknown</c>: permanent.
/// Entries stay held until settled or until the session is disposed, which gives every unsettled one back.
/// </summary>
internal sealed class CliServiceBusDeadLetterQueue(ServiceBusDeadLetterReader reader) : IDeadLetterQueue, IAsyncDisposable
{
    public const string UnknownReason = "Unknown";

    public static CliServiceBusDeadLetterQueue FromConfiguration(IConfiguration configuration) =>
        new(ServiceBusDeadLetterReader.FromConfiguration(configuration));

    public async Task<IReadOnlyList<DeadLetterEntry>> ReceiveAsync(string sourceQueue, int maxEntries, TimeSpan lease, CancellationToken cancellationToken)
    {
        var received = await reader.ReceiveAsync(sourceQueue, maxEntries, cancellationToken);
        return received.Select(ToEntry).ToList();
    }

    public Task ReplayAsync(DeadLetterEntry entry, CancellationToken cancellationToken) =>
        reader.ResendAsync(entry.SourceQueue, entry.OriginalBody ?? throw new InvalidOperationException("an unreadable entry cannot be replayed"),
            entry.MessageId, cancellationToken);

    public Task DeleteAsync(DeadLetterEntry entry, CancellationToken cancellationToken) => reader.CompleteAsync(entry.Receipt, cancellationToken);

    public Task HideAsync(DeadLetterEntry entry, TimeSpan delay, CancellationToken cancellationToken) => reader.HoldAsync(entry.Receipt, delay);

    public ValueTask DisposeAsync() => reader.DisposeAsync();

    private static DeadLetterEntry ToEntry(ServiceBusDeadLetter deadLetter)
    {
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
