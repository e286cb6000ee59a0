using System.Collections.Frozen;

namespace Push.Sandbox.OAuth;

/// <summary>
/// Token-endpoint answers a fault can ask for, with the status and the OAuth 2.0 error body Google's endpoint
/// uses (RFC 6749 §5.2 <c>{"error", "error_description"}</c>). The 4xx ones refuse the grant; the 5xx ones are
/// the endpoint being unwell, which says nothing about the credentials.
/// </summary>
internal static class OAuthErrors
{
    private static readonly FrozenDictionary<string, (int Status, string Description)> Table =
        new Dictionary<string, (int, string)>(StringComparer.Ordinal)
        {
            ["invalid_grant"] = (400, "Invalid JWT Signature."),
            ["invalid_request"] = (400, "Invalid request."),
            ["invalid_scope"] = (400, "Invalid OAuth scope or ID token audience provided."),
            ["invalid_client"] = (401, "The OAuth client was not found."),
            ["unauthorized_client"] = (401, "Client is unauthorized to retrieve access tokens using this method."),
            ["internal_failure"] = (500, "Internal error encountered."),
            ["temporarily_unavailable"] = (503, "The service is currently unavailable."),
        }.ToFrozenDictionary(StringComparer.Ordinal);

    public static bool IsKnown(string error) => Table.ContainsKey(error);

    public static (int Status, string Description) Lookup(string error) => Table[error];
}
