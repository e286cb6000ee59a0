using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Push.Sandbox.Tests;

/// <summary>
/// One sandbox per test class, with an APNs key and a service account registered, and one provider token
/// reused by every test (a fresh token per test would trip the 20-minute update rule, as on Apple's side).
/// </summary>
public sealed class SandboxFixture : IAsyncLifetime
{
    public const string TeamId = "TEAM123456";
    public const string KeyId = "KEY1234567";
    public const string BundleId = "com.example.app";
    public const string ProjectId = "push-tests";
    public const string ClientEmail = "relay@push-tests.iam.gserviceaccount.com";
    public const string PrivateKeyId = "0123456789abcdef0123456789abcdef01234567";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "push-sandbox-tests", Guid.NewGuid().ToString("N"));

    public SandboxServer Sandbox { get; private set; } = null!;
    public ECDsa ApnsKey { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    public RSA ServiceAccountKey { get; } = RSA.Create(2048);
    public string ProviderToken { get; private set; } = "";
    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Sandbox = await SandboxServer.StartAsync(new SandboxOptions { StateDirectory = _directory });
        Sandbox.RegisterApnsKey(TeamId, KeyId, ApnsKey, BundleId);
        Sandbox.RegisterServiceAccount(ClientEmail, ServiceAccountKey, ProjectId, PrivateKeyId);
        ProviderToken = TestJwts.ApnsProviderToken(ApnsKey, KeyId, TeamId, DateTimeOffset.UtcNow);
        Client = SandboxHttp.CreateClient(Sandbox.CaCertificate);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Sandbox.DisposeAsync();
        ApnsKey.Dispose();
        ServiceAccountKey.Dispose();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { /* best effort */ }
    }

    public static Dictionary<string, string> AlertHeaders() => new()
    {
        ["apns-topic"] = BundleId,
        ["apns-push-type"] = "alert",
        ["apns-priority"] = "10",
    };

    public Task<HttpResponseMessage> SendApnsAsync(string deviceToken, IDictionary<string, string>? headers = null,
        string? body = "{\"aps\":{\"alert\":\"hi\"}}", string? providerToken = "", HttpMethod? method = null, HttpClient? client = null)
    {
        var request = SandboxHttp.Http2(method ?? HttpMethod.Post, new Uri(Sandbox.ApnsEndpoint, "/3/device/" + deviceToken));
        var token = providerToken == "" ? ProviderToken : providerToken;
        if (token is not null) request.Headers.TryAddWithoutValidation("authorization", "bearer " + token);
        foreach (var (name, value) in headers ?? AlertHeaders()) request.Headers.TryAddWithoutValidation(name, value);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        return (client ?? Client).SendAsync(request);
    }

    public async Task<HttpResponseMessage> RequestAccessTokenAsync(string assertion, string grantType = "urn:ietf:params:oauth:grant-type:jwt-bearer")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Sandbox.OAuthTokenEndpoint)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = grantType, ["assertion"] = assertion }),
        };
        return await Client.SendAsync(request);
    }

    public async Task<string> AccessTokenAsync(string scope = "https://www.googleapis.com/auth/firebase.messaging")
    {
        var assertion = TestJwts.GoogleAssertion(ServiceAccountKey, ClientEmail, "https://oauth2.googleapis.com/token", DateTimeOffset.UtcNow, scope, keyId: PrivateKeyId);
        using var response = await RequestAccessTokenAsync(assertion);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        using var json = JsonDocument.Parse(text);
        return json.RootElement.GetProperty("access_token").GetString()!;
    }

    public Task<HttpResponseMessage> SendFcmAsync(string accessToken, string body, string projectId = ProjectId, HttpClient? client = null, SandboxServer? sandbox = null)
    {
        var request = SandboxHttp.Http2(HttpMethod.Post, new Uri((sandbox ?? Sandbox).FcmEndpoint, $"/v1/projects/{projectId}/messages:send"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        return (client ?? Client).SendAsync(request);
    }

    public static string FcmMessage(string token, object? data = null, object? android = null) =>
        JsonSerializer.Serialize(new { message = new { token, data = data ?? new Dictionary<string, string> { ["k"] = "v" }, android } },
            new JsonSerializerOptions { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull });
}
