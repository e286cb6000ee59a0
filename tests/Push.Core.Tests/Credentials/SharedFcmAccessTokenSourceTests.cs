using Push.Core.Credentials;
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
}
