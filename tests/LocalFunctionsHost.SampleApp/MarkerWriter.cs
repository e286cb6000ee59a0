using System.Text.Json;
using Azure.Storage.Queues;

namespace LocalFunctionsHost.SampleApp;

/// <summary>
/// Writes one JSON marker per observed event to the queue named by the setting <c>MarkerQueue</c>: the tests read
/// the markers to see what the host delivered (input, dequeue count, binding type) and when.
/// </summary>
public sealed class MarkerWriter
{
    private readonly QueueClient _queue;

    public MarkerWriter()
    {
        var connection = Environment.GetEnvironmentVariable("AzureWebJobsStorage")
            ?? throw new InvalidOperationException("AzureWebJobsStorage is not set");
        var name = Environment.GetEnvironmentVariable("MarkerQueue")
            ?? throw new InvalidOperationException("MarkerQueue is not set");
        // Azurite runs with --skipApiVersionCheck in the tests, so the SDK's default service version is fine.
        _queue = new QueueClient(connection, name);
    }

    public async Task WriteAsync(Marker marker)
    {
        // Not cancellable: a marker for a cancelled invocation is exactly what a test may wait for.
        await _queue.SendMessageAsync(JsonSerializer.Serialize(marker), CancellationToken.None);
    }
}
