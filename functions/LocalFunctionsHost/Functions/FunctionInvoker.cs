using System.Diagnostics;
using LocalFunctionsHost.Configuration;
using LocalFunctionsHost.Rpc;
using LocalFunctionsHost.Telemetry;
using LocalFunctionsHost.Worker;
using Microsoft.Extensions.Logging;

namespace LocalFunctionsHost.Functions;

/// <summary>
/// Runs one invocation through the worker: waits for a ready worker, sends the InvocationRequest (always with a trace
/// context: the worker fails every invocation without one), applies host.json <c>functionTimeout</c> by sending
/// InvocationCancel, and tells the trigger how it ended. A Failure that follows the host's cancel is a timeout (or a
/// shutdown cancel), not a function failure; a worker that does not answer a timeout's cancel is recycled.
/// </summary>
internal sealed partial class FunctionInvoker(WorkerSupervisor supervisor, HostSettings settings, HostTelemetry telemetry, ILogger<FunctionInvoker> logger)
{
    /// <summary>How long the worker may take to answer after InvocationCancel before the host gives up on the invocation.</summary>
    public static readonly TimeSpan CancelGrace = TimeSpan.FromSeconds(5);

    /// <param name="function">The function to invoke.</param>
    /// <param name="reason">Why, for the log (e.g. "New queue message detected on 'q'").</param>
    /// <param name="fill">Adds the trigger's input and metadata to the request.</param>
    /// <param name="abort">Cancelled when the invocation must stop (end of the shutdown grace, a timer's lost lease).</param>
    public async Task<InvocationResult> InvokeAsync(FunctionDescriptor function, string reason, Action<InvocationRequest> fill, CancellationToken abort)
    {
        WorkerChannel channel;
        try
        {
            channel = await supervisor.WaitForReadyAsync(abort);
        }
        catch (OperationCanceledException)
        {
            return new InvocationResult(InvocationOutcome.Cancelled);
        }
        var request = new InvocationRequest
        {
            InvocationId = Guid.NewGuid().ToString(),
            FunctionId = supervisor.FunctionId(function.Name),
            TraceContext = new RpcTraceContext
            {
                TraceParent = $"00-{ActivityTraceId.CreateRandom().ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-00",
                TraceState = "",
            },
        };
        fill(request);
        LogExecuting(function.Name, reason, request.InvocationId);
        var started = Stopwatch.GetTimestamp();
        var response = channel.InvokeAsync(request);

        using var timeout = settings.FunctionTimeout is { } limit ? new CancellationTokenSource(limit) : new CancellationTokenSource();
        var cancelRequested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Cancel()
        {
            channel.Cancel(request.InvocationId);
            cancelRequested.TrySetResult();
        }
        InvocationResult result;
        using (timeout.Token.Register(Cancel))
        using (abort.Register(Cancel))
        {
            if (await Task.WhenAny(response, cancelRequested.Task) != response)
            {
                await Task.WhenAny(response, Task.Delay(CancelGrace));
            }
            result = Outcome(response, timeout.IsCancellationRequested, abort.IsCancellationRequested);
        }
        if (!response.IsCompleted)
        {
            channel.Forget(request.InvocationId);
            if (result.Outcome == InvocationOutcome.TimedOut)
            {
                // The function ignored its cancellation: as the Functions host restarts after such a timeout, start a
                // fresh worker rather than leave the invocation running beside its own retry.
                supervisor.Recycle($"function {function.Name} did not end within {CancelGrace} of its timeout's cancel");
            }
        }
        var elapsed = Stopwatch.GetElapsedTime(started);
        if (result.Succeeded)
        {
            LogSucceeded(function.Name, request.InvocationId, (long)elapsed.TotalMilliseconds);
        }
        else
        {
            LogNotSucceeded(function.Name, result.OutcomeName, request.InvocationId, (long)elapsed.TotalMilliseconds,
                result.ExceptionType ?? "", result.ExceptionMessage ?? "");
        }
        telemetry.Invoked(function.Name, result.OutcomeName, elapsed);
        return result;
    }

    private InvocationResult Outcome(Task<InvocationResponse> response, bool timedOut, bool aborted)
    {
        if (response.IsCompletedSuccessfully)
        {
            var status = response.Result.Result;
            if (status?.Status == StatusResult.Types.Status.Success) return new InvocationResult(InvocationOutcome.Succeeded);
            if (timedOut) return new InvocationResult(InvocationOutcome.TimedOut, "Microsoft.Azure.WebJobs.Host.FunctionTimeoutException",
                $"Timeout value of {settings.FunctionTimeout:c} was exceeded by the function");
            if (aborted) return new InvocationResult(InvocationOutcome.Cancelled, status?.Exception?.Type, status?.Exception?.Message);
            return new InvocationResult(InvocationOutcome.Failed, status?.Exception?.Type, status?.Exception?.Message);
        }
        if (response.IsFaulted)
        {
            return new InvocationResult(InvocationOutcome.WorkerLost, nameof(WorkerLostException), response.Exception!.InnerException!.Message);
        }
        // No answer within the cancel grace.
        return timedOut
            ? new InvocationResult(InvocationOutcome.TimedOut, "Microsoft.Azure.WebJobs.Host.FunctionTimeoutException",
                $"Timeout value of {settings.FunctionTimeout:c} was exceeded by the function, which then ignored its cancellation")
            : new InvocationResult(InvocationOutcome.Cancelled);
    }
}
