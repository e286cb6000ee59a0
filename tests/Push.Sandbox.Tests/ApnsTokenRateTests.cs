using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;

namespace Push.Sandbox.Tests;

public sealed class ApnsTokenRateTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "push-sandbox-tests", Guid.NewGuid().ToString("N"));
    private SandboxServer _sandbox = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _sandbox = await SandboxServer.StartAsync(new SandboxOptions { StateDirectory = _directory, TimeProvider = _time });
        _sandbox.RegisterApnsKey("TEAMRATE01", "KEYRATE001", _key, "com.example.app");
        _client = SandboxHttp.CreateClient(_sandbox.CaCertificate);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _sandbox.DisposeAsync();
        _key.Dispose();
    }

    private async Task<HttpResponseMessage> SendAsync(string jwt)
    {
        var request = SandboxHttp.Http2(HttpMethod.Post, new Uri(_sandbox.ApnsEndpoint, "/3/device/" + TestJwts.RandomDeviceToken()));
        request.Headers.TryAddWithoutValidation("authorization", "bearer " + jwt);
        request.Headers.TryAddWithoutValidation("apns-topic", "com.example.app");
        request.Headers.TryAddWithoutValidation("apns-push-type", "alert");
        request.Content = new StringContent("{\"aps\":{}}");
        return await _client.SendAsync(request);
    }

    private string Mint() => TestJwts.ApnsProviderToken(_key, "KEYRATE001", "TEAMRATE01", _time.GetUtcNow());

    [Fact]
    public async Task A_new_token_within_20_minutes_is_TooManyProviderTokenUpdates_and_after_20_it_is_accepted()
    {
        var first = Mint();
        using (var ok = await SendAsync(first)) Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        _time.Advance(TimeSpan.FromMinutes(5));
        var early = Mint();
        using (var refused = await SendAsync(early)) await ResponseAssert.ApnsReasonAsync(refused, HttpStatusCode.TooManyRequests, "TooManyProviderTokenUpdates");
        using (var stillOk = await SendAsync(first)) Assert.Equal(HttpStatusCode.OK, stillOk.StatusCode);

        _time.Advance(TimeSpan.FromMinutes(16));
        var onTime = Mint();
        using (var accepted = await SendAsync(onTime)) Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);

        Assert.Equal(2, _sandbox.ProviderTokensSeen.Count);
        Assert.All(_sandbox.ProviderTokensSeen, t => Assert.Equal("TEAMRATE01", t.TeamId));
    }

    [Fact]
    public async Task The_same_token_stays_valid_for_an_hour_then_expires()
    {
        var token = Mint();
        using (var ok = await SendAsync(token)) Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        _time.Advance(TimeSpan.FromMinutes(59));
        using (var stillOk = await SendAsync(token)) Assert.Equal(HttpStatusCode.OK, stillOk.StatusCode);

        _time.Advance(TimeSpan.FromMinutes(2));
        using var expired = await SendAsync(token);
        await ResponseAssert.ApnsReasonAsync(expired, HttpStatusCode.Forbidden, "ExpiredProviderToken");
    }
}
