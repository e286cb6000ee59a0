namespace Push.Core.DeadLetters;

/// <summary>
/// The poison queues as triage sees them. The transport (Storage queues in Push.Functions) owns leases and
/// encodings; triage only decides and orders the writes.
/// </summary>
public interface IDeadLetterQueue
{
    /// <summary>
    /// Takes up to <paramref name="maxEntries"/> entries of <paramref name="sourceQueue"/>'s poison queue, each invisible to
    /// others for <paramref name="lease"/>. An entry that cannot be read still comes back, with <see cref="DeadLetterEntry.IsReadable"/> false.
    /// </summary>
    Task<IReadOnlyList<DeadLetterEntry>> ReceiveAsync(string sourceQueue, int maxEntries, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Sends <see cref="DeadLetterEntry.OriginalMessageText"/> unchanged to <see cref="DeadLetterEntry.SourceQueue"/>.</summary>
    Task ReplayAsync(DeadLetterEntry entry, CancellationToken cancellationToken);

    /// <summary>Deletes the entry from its poison queue (only after its replay or archive row was written).</summary>
    Task DeleteAsync(DeadLetterEntry entry, CancellationToken cancellationToken);

    /// <summary>Leaves the entry in its poison queue, invisible for <paramref name="delay"/>.</summary>
    Task HideAsync(DeadLetterEntry entry, TimeSpan delay, CancellationToken cancellationToken);

    /// <summary>Where <paramref name="sourceQueue"/>'s dead letters are, in the transport's own words (for operators).</summary>
    string Location(string sourceQueue);
}
