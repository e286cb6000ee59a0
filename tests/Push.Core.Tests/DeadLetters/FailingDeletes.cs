using Azure;
using Push.Core.DeadLetters;

namespace Push.Core.Tests.DeadLetters;

/// <summary>The real poison queue, whose next <see cref="Count"/> deletes fail: a crash between triage's write and its delete.</summary>
internal sealed class FailingDeletes(IDeadLetterQueue inner) : IDeadLetterQueue
{
    public int Count { get; set; }

    public Task<IReadOnlyList<DeadLetterEntry>> ReceiveAsync(string sourceQueue, int maxEntries, TimeSpan lease, CancellationToken cancellationToken) =>
        inner.ReceiveAsync(sourceQueue, maxEntries, lease, cancellationToken);

    public Task ReplayAsync(DeadLetterEntry entry, CancellationToken cancellationToken) => inner.ReplayAsync(entry, cancellationToken);

    public Task DeleteAsync(DeadLetterEntry entry, CancellationToken cancellationToken)
    {
        if (Count > 0)
        {
            Count--;
            throw new RequestFailedException(503, "injected: the process died before the delete");
        }
        return inner.DeleteAsync(entry, cancellationToken);
    }

    public Task HideAsync(DeadLetterEntry entry, TimeSpan delay, CancellationToken cancellationToken) => inner.HideAsync(entry, delay, cancellationToken);

    public string Location(string sourceQueue) => inner.Location(sourceQueue);
}
