using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace Push.Sandbox.Control;

/// <summary>
/// /_sandbox/…: lets a test or script in another process read records, inject faults and register keys.
/// Public keys only: no endpoint takes or returns a private key or a token.
/// </summary>
internal sealed class ControlApi(SandboxState state, Func<object> info)
{
    public const string Prefix = "/_sandbox";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    private sealed record ApnsKeyRegistration(string TeamId, string KeyId, string PublicKeyPem, string[]? BundleIds);

    private sealed record ServiceAccountRegistration(string ClientEmail, string PublicKeyPem, string ProjectId, string? PrivateKeyId);

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var route = (request.Path.Value ?? "")[Prefix.Length..].TrimEnd('/');
        var method = request.Method;
        switch (route)
        {
            case "/health" when HttpMethods.IsGet(method):
                await WriteAsync(context, 200, new { status = "ok" }).ConfigureAwait(false);
                return;
            case "/info" when HttpMethods.IsGet(method):
                await WriteAsync(context, 200, info()).ConfigureAwait(false);
                return;
            case "/pushes" when HttpMethods.IsGet(method):
                await WriteAsync(context, 200, Pushes(request.Query["provider"].ToString(), request.Query["token"].ToString())).ConfigureAwait(false);
                return;
            case "/pushes" when HttpMethods.IsDelete(method):
                state.ClearRecords();
                context.Response.StatusCode = 204;
                return;
            case "/requests" when HttpMethods.IsGet(method):
                await WriteAsync(context, 200, state.AllRequests).ConfigureAwait(false);
                return;
            case "/provider-tokens" when HttpMethods.IsGet(method):
                await WriteAsync(context, 200, new { providerTokens = state.ProviderTokensSeen, accessTokensIssued = state.AccessTokensIssued }).ConfigureAwait(false);
                return;
            case "/faults" when HttpMethods.IsGet(method):
                await WriteAsync(context, 200, new { faults = state.Faults.Snapshot() }).ConfigureAwait(false);
                return;
            case "/faults" when HttpMethods.IsPost(method):
                await ReadThenAsync<SandboxFault>(context, fault => state.Faults.Add(fault)).ConfigureAwait(false);
                return;
            case "/faults" when HttpMethods.IsDelete(method):
                state.Faults.Clear();
                context.Response.StatusCode = 204;
                return;
            case "/apns-keys" when HttpMethods.IsPost(method):
                await ReadThenAsync<ApnsKeyRegistration>(context, r =>
                {
                    using var key = ECDsa.Create();
                    key.ImportFromPem(r.PublicKeyPem);
                    state.RegisterApnsKey(r.TeamId, r.KeyId, key, r.BundleIds ?? []);
                }).ConfigureAwait(false);
                return;
            case "/service-accounts" when HttpMethods.IsPost(method):
                await ReadThenAsync<ServiceAccountRegistration>(context, r =>
                {
                    using var key = RSA.Create();
                    key.ImportFromPem(r.PublicKeyPem);
                    state.RegisterServiceAccount(r.ClientEmail, key, r.ProjectId, r.PrivateKeyId);
                }).ConfigureAwait(false);
                return;
            default:
                await WriteAsync(context, 404, new { error = "no such control endpoint" }).ConfigureAwait(false);
                return;
        }
    }

    private object Pushes(string provider, string token)
    {
        var wantApns = provider.Length == 0 || provider.Equals("apns", StringComparison.OrdinalIgnoreCase);
        var wantFcm = provider.Length == 0 || provider.Equals("fcm", StringComparison.OrdinalIgnoreCase);
        return new
        {
            apns = wantApns ? state.ApnsPushes.Where(p => token.Length == 0 || p.DeviceToken == token).ToList() : [],
            fcm = wantFcm ? state.FcmMessages.Where(m => token.Length == 0 || m.Token == token).ToList() : [],
        };
    }

    private static async Task ReadThenAsync<T>(HttpContext context, Action<T> apply)
    {
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(context.Request.Body, Json, context.RequestAborted).ConfigureAwait(false)
                ?? throw new JsonException("empty body");
            apply(value);
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or CryptographicException)
        {
            await WriteAsync(context, 400, new { error = ex.Message }).ConfigureAwait(false);
            return;
        }
        context.Response.StatusCode = 204;
    }

    private static async Task WriteAsync(HttpContext context, int status, object value)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(context.Response.Body, value, value.GetType(), Json, context.RequestAborted).ConfigureAwait(false);
    }
}
