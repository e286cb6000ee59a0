namespace LocalFunctionsHost.Functions;

/// <summary>How an invocation ended, as the triggers settle it.</summary>
internal enum InvocationOutcome
{
    /// <summary>The worker answered Success.</summary>
    Succeeded,

    /// <summary>The function threw (the worker answered Failure).</summary>
    Failed,

    /// <summary>functionTimeout passed: the host sent InvocationCancel (the worker then answers Failure with a TaskCanceledException).</summary>
    TimedOut,

    /// <summary>The host cancelled it at the end of the shutdown grace period.</summary>
    Cancelled,

    /// <summary>The worker died before answering.</summary>
    WorkerLost,
}

/// <summary>The outcome of one invocation and, for a failure, what the worker reported.</summary>
internal readonly record struct InvocationResult(InvocationOutcome Outcome, string? ExceptionType = null, string? ExceptionMessage = null)
{
    public bool Succeeded => Outcome == InvocationOutcome.Succeeded;

    /// <summary>A failed attempt in the queue trigger's terms: the message is retried after visibilityTimeout, or poisoned.</summary>
    public bool CountsAsFailure => Outcome is InvocationOutcome.Failed or InvocationOutcome.TimedOut or InvocationOutcome.WorkerLost;

    /// <summary>The tag value for metrics and logs.</summary>
    public string OutcomeName => Outcome switch
    {
        InvocationOutcome.Succeeded => "succeeded",
        InvocationOutcome.Failed => "failed",
        InvocationOutcome.TimedOut => "timed_out",
        InvocationOutcome.Cancelled => "cancelled",
        _ => "worker_lost",
    };
}
