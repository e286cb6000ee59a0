using Microsoft.AspNetCore.Http;

namespace Push.Sandbox;

internal static class FaultActions
{
    /// <summary>
    /// Holds the request until the client gives up or the sandbox stops; then aborts it, so shutdown
    /// is never held up by a hung request.
    /// </summary>
    public static async Task HangAsync(HttpContext context, CancellationToken stopping)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        try
        {
            await Task.Delay(Timeout.Infinite, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            context.Abort();
        }
    }
}
