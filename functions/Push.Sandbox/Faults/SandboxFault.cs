namespace Push.Sandbox;

/// <summary>
/// A failure the sandbox injects into requests that passed validation (a request Apple or Google
/// would reject anyway gets its real rejection instead).
/// </summary>
public sealed record SandboxFault
{
    public required SandboxProvider Provider { get; init; }

    /// <summary>
    /// APNs device token, FCM registration token, or for the OAuth endpoint the service account's client_email, to
    /// match; null matches every request to the provider.
    /// </summary>
    public string? DeviceToken { get; init; }

    public required SandboxFaultKind Kind { get; init; }

    /// <summary>
    /// For <see cref="SandboxFaultKind.Reject"/>: an APNs reason, an FCM errorCode or an OAuth error (<c>invalid_grant</c>,
    /// <c>temporarily_unavailable</c>, …); the status comes from the sandbox's own tables.
    /// </summary>
    public string? Reason { get; init; }

    /// <summary>Adds a Retry-After header (seconds).</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>APNs 410 timestamp; default: the sandbox clock's now.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>For <see cref="SandboxFaultKind.Delay"/>: how long to wait before answering, in milliseconds.</summary>
    public int? DelayMs { get; init; }

    /// <summary>Apply to the next N matching requests only; null = until cleared.</summary>
    public int? Times { get; init; }
}
