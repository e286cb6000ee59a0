using Push.Hosting.Queues;

namespace Push.EndToEnd.Tests.Infrastructure;

public static class PoisonQueue
{
    /// <summary>Waits for the dead-letter record whose original message is the event <paramref name="trackingId"/>.</summary>
    public static async Task<DeadLetterRecord> WaitForAsync(RelayEnvironment env, string queue, string trackingId, TimeSpan timeout)
    {
        DeadLetterRecord? found = null;
        await Eventually.TrueAsync(async () =>
        {
            var poison = env.Queue(queue + "-poison");
            if (!(await poison.ExistsAsync()).Value) return false;
            foreach (var message in (await poison.PeekMessagesAsync(32)).Value)
            {
                var record = DeadLetterRecordSerializer.FromMessageText(message.MessageText);
                var original = record.TryGetOriginalBody()?.ToString() ?? record.GetOriginalMessageText();
                if (original.Contains(trackingId, StringComparison.Ordinal))
                {
                    found = record;
                    return true;
                }
            }
            return false;
        }, timeout, $"a dead-letter record for {trackingId} in {queue}-poison");
        return found!;
    }
}
