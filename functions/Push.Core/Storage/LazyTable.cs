using Azure.Data.Tables;

namespace Push.Core.Storage;

/// <summary>
/// A table created on first use, once per process. Creation runs outside any caller's cancellation so
/// one cancelled request cannot fail the others waiting on it; a failed creation is tried again by the
/// next caller rather than cached forever.
/// </summary>
internal sealed class LazyTable
{
    private readonly TableClient _client;
    private readonly object _gate = new();
    private Task? _creation;

    public LazyTable(TableServiceClient service, string tableName)
    {
        ArgumentNullException.ThrowIfNull(service);
        _client = service.GetTableClient(tableName);
    }

    public string Name => _client.Name;

    public async ValueTask<TableClient> GetAsync(CancellationToken cancellationToken)
    {
        var creation = Volatile.Read(ref _creation);
        if (creation is null || creation.IsFaulted || creation.IsCanceled)
        {
            lock (_gate)
            {
                if (_creation is null || _creation.IsFaulted || _creation.IsCanceled)
                {
                    _creation = _client.CreateIfNotExistsAsync(CancellationToken.None);
                }
                creation = _creation;
            }
        }
        if (!creation.IsCompletedSuccessfully)
        {
            await creation.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        return _client;
    }
}
