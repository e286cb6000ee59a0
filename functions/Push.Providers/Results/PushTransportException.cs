namespace Push.Providers.Results;

/// <summary>
/// A push that got no answer from the provider: the connection failed or was reset, or the request
/// timed out. Always transient; the message it carries never contains a token, key or payload.
/// </summary>
public sealed class PushTransportException : Exception
{
    public PushTransportException(PushProvider provider, PushFailureReason reason, string message, Exception? inner = null)
        : base(message, inner)
    {
        if (reason is not (PushFailureReason.NetworkFailure or PushFailureReason.Timeout))
        {
            throw new ArgumentOutOfRangeException(nameof(reason), reason, "A transport failure is NetworkFailure or Timeout.");
        }
        Provider = provider;
        Reason = reason;
    }

    public PushProvider Provider { get; }
    public PushFailureReason Reason { get; }
    public bool IsTransient => true;
}
