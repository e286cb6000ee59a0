namespace Push.Providers.Results;

/// <summary>
/// The provider's answer to one push: <see cref="PushAccepted"/> or <see cref="PushRejected"/>.
/// A request that got no answer (connection failure, timeout) is not a result: the client throws
/// <see cref="PushTransportException"/>.
/// </summary>
public abstract record PushResult
{
    private protected PushResult() { }

    public static PushAccepted Accepted(string providerMessageId) => new(providerMessageId);

    public static PushRejected Rejected(
        PushFailureReason reason,
        int? httpStatus,
        string? providerReason = null,
        TimeSpan? retryAfter = null,
        DateTimeOffset? tokenInvalidSince = null) =>
        new(reason, httpStatus, providerReason, retryAfter, tokenInvalidSince);
}

/// <summary>The provider took the push. <paramref name="ProviderMessageId"/> is APNs' <c>apns-id</c> or FCM's message name.</summary>
public sealed record PushAccepted(string ProviderMessageId) : PushResult;

/// <summary>
/// The provider (or the client, before sending, when <see cref="HttpStatus"/> is null) refused the push.
/// </summary>
/// <param name="Reason">Our reason; <see cref="IsTransient"/> and <see cref="RemovesToken"/> follow from it.</param>
/// <param name="HttpStatus">The provider's HTTP status; null when the client refused it before sending.</param>
/// <param name="ProviderReason">The provider's own reason string (APNs <c>reason</c>, FCM <c>errorCode</c>), for logs and triage.</param>
/// <param name="RetryAfter">The provider's Retry-After, when it sent one.</param>
/// <param name="TokenInvalidSince">APNs 410 <c>timestamp</c>: when the token stopped being valid.</param>
public sealed record PushRejected(
    PushFailureReason Reason,
    int? HttpStatus,
    string? ProviderReason,
    TimeSpan? RetryAfter,
    DateTimeOffset? TokenInvalidSince) : PushResult
{
    public bool IsTransient => Reason.IsTransient();
    public bool RemovesToken => Reason.RemovesToken();
    public bool RejectedBeforeSending => HttpStatus is null;
}
