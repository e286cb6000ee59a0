using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Push.Core.Credentials;
using Push.Providers.Fcm;
using Push.Providers.Results;
using Push.Sandbox;
using Push.Testing;

namespace Push.Core.Tests.Credentials;

[Collection(CredentialsCollection.Name)]
public sealed class SharedFcmAccessTokenSourceTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Three_instances_share_one_access_token_until_it_nears_expiry()
    {
        await using var rig = await CredentialsRig.StartAsync(azurite);
        var stores = Enumerable.Range(0, 3).Select(_ => rig.CreateStore()).ToArray();
        var sources = stores.Select(s => rig.CreateFcmSource(s, rig.CreateFetcher())).ToArray();

        var first = await sources[0].GetAsync(CancellationToken.None);
        var all = await Task.WhenAll(sources.Select(s => s.GetAsync(CancellationToken.None).AsTask()));
        Assert.All(all, t => Assert.Equal(first.AccessToken, t.AccessToken));
        Assert.Equal(1, rig.Sandbox.AccessTokensIssued);

        rig.Time.Advance(TimeSpan.FromMinutes(50));
        await Task.WhenAll(sources.Select(s => s.GetAsync(CancellationToken.None).AsTask()));
        Assert.Equal(1, rig.Sandbox.AccessTokensIssued);

        // 3599 s lifetime, 5-minute margin: due after 54 minutes.
        rig.Time.Advance(TimeSpan.FromMinutes(5));
        var renewed = await Task.WhenAll(sources.Select(s => s.GetAsync(CancellationToken.None).AsTask()));
        Assert.Equal(2, rig.Sandbox.AccessTokensIssued);
        Assert.Single(renewed.Select(t => t.AccessToken).Distinct());
        Assert.NotEqual(first.AccessToken, renewed[0].AccessToken);

        // A 401 seen by all three at once: one fetch.
        var afterRejection = await Task.WhenAll(sources.Select(s => s.RefreshAfterRejectionAsync(renewed[0], CancellationToken.None).AsTask()));
        Assert.Equal(3, rig.Sandbox.AccessTokensIssued);
        Assert.Single(afterRejection.Select(t => t.AccessToken).Distinct());
        Assert.NotEqual(renewed[0].AccessToken, afterRejection[0].AccessToken);
        Assert.DoesNotContain(first.AccessToken, rig.Logs.AllText);
        foreach (var s in sources) s.Dispose();
        foreach (var s in stores) s.Dispose();
    }

    /// <summary>The relay's send path for FCM: the client over the shared token source, with a fault at the token endpoint.</summary>
    private sealed class SendPath : IAsyncDisposable
    {
        private readonly ProviderTokenStore _store;
        private readonly SharedFcmAccessTokenSource _source;

        private SendPath(CredentialsRig rig)
        {
            Rig = rig;
            _store = rig.CreateStore();
            _source = rig.CreateFcmSource(_store, rig.CreateFetcher());
            Client = new FcmClient(Options.Create(rig.Fcm), _source, rig.Time, NullLogger<FcmClient>.Instance);
        }

        public CredentialsRig Rig { get; }
        public FcmClient Client { get; }

        public static async Task<SendPath> StartAsync(AzuriteFixture azurite, string oauthError)
        {
            var rig = await CredentialsRig.StartAsync(azurite);
            rig.Sandbox.Faults.Add(new SandboxFault { Provider = SandboxProvider.OAuth, Kind = SandboxFaultKind.Reject, Reason = oauthError });
            return new SendPath(rig);
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            _source.Dispose();
            _store.Dispose();
            await Rig.DisposeAsync();
        }
    }

    private static FcmMessage Message() =>
        new("fcm-shared-path-token-0001", new Dictionary<string, string> { ["k"] = "v" }, FcmAndroidPriority.High, TimeSpan.FromSeconds(30), null);

    [Fact]
    public async Task A_token_endpoint_outage_on_the_send_path_is_transient_while_it_lasts_and_the_push_goes_through_after()
    {
        await using var path = await SendPath.StartAsync(azurite, "temporarily_unavailable");
        var (rig, client) = (path.Rig, path.Client);

        var first = Assert.IsType<PushRejected>(await client.SendAsync(Message(), CancellationToken.None));
        // Within ProviderTokens:FailureBackoff the source does not ask again; it must still say "outage".
        var backingOff = Assert.IsType<PushRejected>(await client.SendAsync(Message(), CancellationToken.None));
        rig.Sandbox.Faults.Clear();
        rig.Time.Advance(rig.StoreOptions.FailureBackoff);
        var recovered = await client.SendAsync(Message(), CancellationToken.None);

        Assert.Equal(PushFailureReason.TokenEndpointUnavailable, first.Reason);
        Assert.True(first.IsTransient);
        Assert.Equal(PushFailureReason.TokenEndpointUnavailable, backingOff.Reason);
        Assert.IsType<PushAccepted>(recovered);
    }

    [Fact]
    public async Task A_refused_grant_on_the_send_path_is_permanent_also_while_the_source_backs_off()
    {
        await using var path = await SendPath.StartAsync(azurite, "invalid_grant");
        var client = path.Client;

        var first = Assert.IsType<PushRejected>(await client.SendAsync(Message(), CancellationToken.None));
        var backingOff = Assert.IsType<PushRejected>(await client.SendAsync(Message(), CancellationToken.None));

        Assert.Equal(PushFailureReason.AuthenticationFailed, first.Reason);
        Assert.Equal(PushFailureReason.AuthenticationFailed, backingOff.Reason);
        Assert.False(backingOff.IsTransient);
    }
}
