using System.Text;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Push.Hosting.Queues;
using Push.Testing;

namespace Push.Hosting.Tests.Infrastructure;

/// <summary>A queue of one test (and its poison queue) seen from the producer's side.</summary>
public sealed class QueueScope
{
    public QueueScope(AzuriteFixture azurite, string prefix = "q")
    {
        Name = AzuriteFixture.UniqueName(prefix);
        Queue = new QueueClient(azurite.ConnectionString, Name, StorageQueueConnection.ClientOptions());
        Poison = new QueueClient(azurite.ConnectionString, Name + "-poison", StorageQueueConnection.ClientOptions());
    }

    public string Name { get; }

    public QueueClient Queue { get; }

    public QueueClient Poison { get; }

    public async Task CreateAsync() => await Queue.CreateIfNotExistsAsync();

    /// <summary>Sends the body base64-encoded, as producers do for the default messageEncoding; returns the message id.</summary>
    public async Task<string> SendAsync(string body) =>
        (await Queue.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(body)))).Value.MessageId;

    /// <summary>Sends the text as it is (messageEncoding none, or a deliberately broken message).</summary>
    public async Task<string> SendRawAsync(string text) => (await Queue.SendMessageAsync(text)).Value.MessageId;

    public async Task SendManyAsync(IEnumerable<string> bodies)
    {
        // Parallel sends: one at a time Azurite manages ~300/s here, 16 in parallel several times that.
        await Parallel.ForEachAsync(bodies, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (body, ct) =>
            await Queue.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(body)), ct));
    }

    public async Task<PeekedMessage[]> PeekAsync() => (await Queue.PeekMessagesAsync(32)).Value;

    public async Task<PeekedMessage[]> PeekPoisonAsync() =>
        await Poison.ExistsAsync() ? (await Poison.PeekMessagesAsync(32)).Value : [];

    public async Task<DeadLetterRecord[]> DeadLettersAsync() =>
        (await PeekPoisonAsync()).Select(m => DeadLetterRecordSerializer.FromMessageText(m.Body.ToString())).ToArray();
}
