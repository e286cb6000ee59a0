using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;

namespace LocalFunctionsHost.SampleApp;

/// <summary>
/// Queue-triggered functions whose behaviour the message text chooses: "throw" fails, "throw-until:N" fails while the
/// dequeue count is below N, "wait" waits on the cancellation token, "sleep:N" takes N milliseconds, "hang-once"
/// waits forever on its first delivery (for killing the worker mid-batch), anything else succeeds.
/// </summary>
public sealed class QueueFunctions(MarkerWriter markers)
{
    private static int _running;

    [Function("Echo")]
    public Task Echo([QueueTrigger("%EchoQueue%", Connection = "AzureWebJobsStorage")] QueueMessage message, FunctionContext context,
        CancellationToken cancellationToken) =>
        BehaveAsync("Echo", message.MessageText, message.MessageId, message.DequeueCount, "QueueMessage", context, cancellationToken,
            message.PopReceipt);

    [Function("EchoString")]
    public Task EchoString([QueueTrigger("%StringQueue%")] string text, string id, long dequeueCount, FunctionContext context,
        CancellationToken cancellationToken) =>
        BehaveAsync("EchoString", text, id, dequeueCount, "string", context, cancellationToken, popReceipt: null);

    [Function("EchoBytes")]
    public Task EchoBytes([QueueTrigger("%BytesQueue%")] byte[] body, string id, long dequeueCount, FunctionContext context,
        CancellationToken cancellationToken) =>
        BehaveAsync("EchoBytes", Convert.ToBase64String(body), id, dequeueCount, "bytes", context, cancellationToken, popReceipt: null);

    /// <summary>Does nothing: the invocation round trip through the host, measured without Storage in it.</summary>
    [Function("Noop")]
    public static void Noop([QueueTrigger("%NoopQueue%")] string text)
    {
    }

    private async Task BehaveAsync(string function, string text, string? messageId, long dequeueCount, string binding,
        FunctionContext context, CancellationToken cancellationToken, string? popReceipt)
    {
        var concurrency = Interlocked.Increment(ref _running);
        try
        {
            Marker Mark(string @event) => new(function, @event, messageId, dequeueCount, text, binding, context.InvocationId,
                Environment.ProcessId, concurrency, Environment.GetEnvironmentVariable("SAMPLE_INSTANCE"),
                Environment.GetEnvironmentVariable("SampleGreeting"), Environment.GetEnvironmentVariable("SampleOverride"),
                PopReceipt: popReceipt, At: DateTimeOffset.UtcNow);

            await markers.WriteAsync(Mark("started"));
            if (text == "throw" || (text.StartsWith("throw-until:", StringComparison.Ordinal) && dequeueCount < int.Parse(text[12..])))
            {
                throw new InvalidOperationException($"sample failure on delivery {dequeueCount}");
            }
            if (text == "wait" || (text == "hang-once" && dequeueCount == 1))
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    await markers.WriteAsync(Mark("cancelled"));
                    throw;
                }
            }
            if (text.StartsWith("sleep:", StringComparison.Ordinal))
            {
                await Task.Delay(int.Parse(text[6..]), cancellationToken);
            }
            await markers.WriteAsync(Mark("completed"));
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }
}
