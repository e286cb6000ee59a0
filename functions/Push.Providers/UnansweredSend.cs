namespace Push.Providers;

/// <summary>
/// A send that got no answer from the provider (the connection failed or broke before a response). One rule for both
/// clients, because the pipeline retries such a send as <see cref="Results.PushFailureReason.NetworkFailure"/>
/// whichever provider it was for.
/// </summary>
internal static class UnansweredSend
{
    public static bool IsNetworkFailure(Exception exception) => exception is HttpRequestException or IOException;

    /// <summary>What is logged and reported of the failure: the HTTP error kind, else the exception's type (never its message).</summary>
    public static string Detail(Exception exception) =>
        exception is HttpRequestException http ? http.HttpRequestError.ToString() : exception.GetType().Name;
}
