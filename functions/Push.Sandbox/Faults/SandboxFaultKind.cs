namespace Push.Sandbox;

/// <summary>What a fault does to a matching request.</summary>
public enum SandboxFaultKind
{
    /// <summary>Answer with the provider's status and body for <see cref="SandboxFault.Reason"/>.</summary>
    Reject,

    /// <summary>Never answer: hold the request until the client gives up or the sandbox stops.</summary>
    Hang,

    /// <summary>Abort the connection so the client sees a reset.</summary>
    ResetConnection,

    /// <summary>
    /// Answer as usual, but only after <see cref="SandboxFault.DelayMs"/> on the sandbox clock: a slow provider, for a
    /// push that outlasts a queue lock. A client that gives up first sees no answer (and nothing is accepted).
    /// </summary>
    Delay,
}
