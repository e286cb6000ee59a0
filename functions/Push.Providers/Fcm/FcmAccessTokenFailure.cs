using System.Net;
using System.Net.Sockets;
using Google.Apis.Auth.OAuth2.Responses;
using Push.Providers.Results;

namespace Push.Providers.Fcm;

/// <summary>
/// Why an access token could not be had, from what the token source threw: the endpoint refusing the grant
/// (a 4xx with an OAuth error, a bad key: permanent, <see cref="PushFailureReason.AuthenticationFailed"/>) or
/// the endpoint, or the store that shares its tokens, being unavailable (everything else: transient,
/// <see cref="PushFailureReason.TokenEndpointUnavailable"/>). Unknown failures count as outages, because
/// calling an outage permanent loses the push while the opposite only retries it.
/// </summary>
/// <param name="Detail">For logs and the ledger: statuses, OAuth error codes and exception types, never a message text.</param>
internal sealed record FcmAccessTokenFailure(PushFailureReason Reason, string Detail)
{
    public bool IsRefusal => Reason == PushFailureReason.AuthenticationFailed;

    public static FcmAccessTokenFailure Of(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        // The shared-token path wraps the failure it is backing off from; look through wrappers.
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case TokenResponseException oauth when IsOutage(oauth.StatusCode):
                    return Unavailable($"token endpoint answered {Status(oauth.StatusCode)}{Suffix(oauth.Error?.Error)}");
                case TokenResponseException oauth:
                    return new(PushFailureReason.AuthenticationFailed, $"token endpoint refused the grant: {Status(oauth.StatusCode)}{Suffix(oauth.Error?.Error ?? "no OAuth error")}");
                case ProviderCredentialsException:
                    return new(PushFailureReason.AuthenticationFailed, "the service account cannot be used (" + current.GetType().Name + ")");
                case HttpRequestException http:
                    return Unavailable($"token endpoint unreachable ({http.HttpRequestError})");
                case SocketException or IOException:
                    return Unavailable($"token endpoint unreachable ({current.GetType().Name})");
                case OperationCanceledException or TimeoutException:
                    return Unavailable("token endpoint did not answer in time");
            }
        }
        return Unavailable("no access token (" + exception.GetType().Name + ")");
    }

    private static FcmAccessTokenFailure Unavailable(string detail) => new(PushFailureReason.TokenEndpointUnavailable, detail);

    // No status: the library failed before or without an answer. 408 and 429 say "later", not "no".
    private static bool IsOutage(HttpStatusCode? status) =>
        status is null or HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    private static string Status(HttpStatusCode? status) => status is { } s ? ((int)s).ToString(System.Globalization.CultureInfo.InvariantCulture) : "without a status";

    private static string Suffix(string? error) => string.IsNullOrEmpty(error) ? "" : " " + error;
}
