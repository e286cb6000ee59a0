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

    /// <summary>
    /// Waits <paramref name="delay"/> on the sandbox clock before the request is answered as usual. False when the client
    /// gave up or the sandbox stopped meanwhile: the request was aborted and must not be answered or accepted.
    /// </summary>
    public static async Task<bool> DelayAsync(HttpContext context, TimeSpan delay, TimeProvider time, CancellationToken stopping)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        try
        {
            await Task.Delay(delay, time, linked.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            context.Abort();
            return false;
        }
    }
}
