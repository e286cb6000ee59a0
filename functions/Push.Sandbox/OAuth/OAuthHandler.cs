using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Push.Sandbox.Security;

namespace Push.Sandbox.OAuth;

/// <summary>
/// POST /token: Google's JWT-bearer grant (RFC 7523) for service accounts. The assertion must be RS256, signed
/// by the registered key of its iss, addressed to this endpoint or to Google's (Google.Apis.Auth always puts
/// https://oauth2.googleapis.com/token in aud), and short-lived (exp ≤ iat + 1 h, not expired). Injected faults
/// apply to assertions that passed those checks.
/// </summary>
internal sealed class OAuthHandler(SandboxState state, Func<Uri> ownTokenUri, CancellationToken stopping)
{
    public const string GoogleTokenUri = "https://oauth2.googleapis.com/token";
    private const string JwtBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    private const string ShortLived =
        "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.";
    private static readonly TimeSpan AllowedSkew = TimeSpan.FromMinutes(5);

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var receivedAt = state.Time.GetUtcNow();

        async Task FailAsync(int status, string error, string description, SandboxFaultKind? fault = null, int? retryAfter = null)
        {
            state.Record(new RecordedRequest("OAuth", request.Method, request.Path.Value ?? "", null, null, status, error, fault, receivedAt));
            context.Response.StatusCode = status;
            if (retryAfter is { } seconds) context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsync(new JsonObject { ["error"] = error, ["error_description"] = description }.ToJsonString(),
                context.RequestAborted).ConfigureAwait(false);
        }

        if (!HttpMethods.IsPost(request.Method) || !request.HasFormContentType)
        {
            await FailAsync(400, "invalid_request", "Expected a POST with an application/x-www-form-urlencoded body.").ConfigureAwait(false);
            return;
        }
        var form = await request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var grantType = form["grant_type"].ToString();
        if (grantType != JwtBearer)
        {
            await FailAsync(400, "unsupported_grant_type", "Invalid grant_type: " + grantType).ConfigureAwait(false);
            return;
        }
        var jwt = CompactJwt.TryParse(form["assertion"].ToString());
        if (jwt is null)
        {
            await FailAsync(400, "invalid_grant", "Invalid JWT: malformed assertion.").ConfigureAwait(false);
            return;
        }
        var issuer = jwt.ClaimString("iss");
        var account = issuer is null ? null : state.FindServiceAccount(issuer);
        if (account is null)
        {
            await FailAsync(400, "invalid_grant", "Invalid grant: account not found").ConfigureAwait(false);
            return;
        }
        var kid = jwt.HeaderString("kid");
        var kidMatches = kid is null || account.PrivateKeyId is null || kid == account.PrivateKeyId;
        if (jwt.HeaderString("alg") != "RS256" || !kidMatches
            || !account.PublicKey.VerifyData(jwt.SigningInput, jwt.Signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            await FailAsync(400, "invalid_grant", "Invalid JWT Signature.").ConfigureAwait(false);
            return;
        }
        var audience = jwt.ClaimString("aud");
        if (audience != GoogleTokenUri && audience != ownTokenUri().ToString())
        {
            await FailAsync(400, "invalid_grant", "Invalid JWT: Failed audience check.").ConfigureAwait(false);
            return;
        }
        var now = state.Time.GetUtcNow();
        if (jwt.ClaimSeconds("iat") is not { } iat || jwt.ClaimSeconds("exp") is not { } exp
            || exp - iat > 3600 || exp <= iat
            || DateTimeOffset.FromUnixTimeSeconds(exp) <= now
            || DateTimeOffset.FromUnixTimeSeconds(iat) > now + AllowedSkew)
        {
            await FailAsync(400, "invalid_grant", ShortLived).ConfigureAwait(false);
            return;
        }
        var scopes = (jwt.ClaimString("scope") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (scopes.Length == 0)
        {
            await FailAsync(400, "invalid_scope", "Invalid OAuth scope or ID token audience provided.").ConfigureAwait(false);
            return;
        }

        var injected = state.Faults.Take(SandboxProvider.OAuth, account.ClientEmail);
        if (injected is not null)
        {
            switch (injected.Kind)
            {
                case SandboxFaultKind.Reject:
                    var (status, description) = OAuthErrors.Lookup(injected.Reason!);
                    await FailAsync(status, injected.Reason!, description, SandboxFaultKind.Reject, injected.RetryAfterSeconds).ConfigureAwait(false);
                    return;
                case SandboxFaultKind.Hang:
                    state.Record(new RecordedRequest("OAuth", request.Method, request.Path.Value ?? "", null, null, 0, null, SandboxFaultKind.Hang, receivedAt));
                    await FaultActions.HangAsync(context, stopping).ConfigureAwait(false);
                    return;
                default:
                    state.Record(new RecordedRequest("OAuth", request.Method, request.Path.Value ?? "", null, null, 0, null, SandboxFaultKind.ResetConnection, receivedAt));
                    context.Abort();
                    return;
            }
        }

        // A token for other scopes is issued as Google would; FCM then refuses it (insufficient scopes).
        var accessToken = state.IssueAccessToken(account, scopes);
        state.Record(new RecordedRequest("OAuth", request.Method, request.Path.Value ?? "", null, null, 200, null, null, receivedAt));
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-cache, no-store, max-age=0, must-revalidate";
        await context.Response.WriteAsync(new JsonObject
        {
            ["access_token"] = accessToken,
            ["expires_in"] = state.Options.AccessTokenLifetimeSeconds,
            ["token_type"] = "Bearer",
        }.ToJsonString(), context.RequestAborted).ConfigureAwait(false);
    }
}
