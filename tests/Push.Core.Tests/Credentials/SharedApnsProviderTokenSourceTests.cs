using Push.Core.Credentials;
using Push.Providers.Apns;
using Push.Providers.Results;
using Push.Testing;
using Xunit.Abstractions;

namespace Push.Core.Tests.Credentials;

[Collection(CredentialsCollection.Name)]
public sealed class SharedApnsProviderTokenSourceTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private sealed record Instance(ProviderTokenStore Store, ApnsProviderTokenMinter Minter, SharedApnsProviderTokenSource Source) : IDisposable
    {
        public void Dispose()
        {
            Source.Dispose();
            Store.Dispose();
        }
    }

    private static Instance[] Instances(CredentialsRig rig, int count) => Enumerable.Range(0, count).Select(_ =>
    {
        var store = rig.CreateStore();
        var minter = rig.CreateMinter();
        return new Instance(store, minter, rig.CreateApnsSource(store, minter));
    }).ToArray();

    [Fact]
    public async Task Separate_instances_read_the_one_stored_token()
    {
        await using var rig = await CredentialsRig.StartAsync(azurite);
        var instances = Instances(rig, 5);

        var first = await instances[0].Source.GetAsync(CancellationToken.None);
        var others = await Task.WhenAll(instances.Skip(1).Select(i => i.Source.GetAsync(CancellationToken.None).AsTask()));

        Assert.All(others, t => Assert.Equal(first.Jwt, t.Jwt));
        Assert.Equal(1, instances.Sum(i => i.Minter.MintCount));
        Assert.Equal(first.Jwt, (await instances[3].Store.ReadAsync(instances[3].Minter.Key))!.Token);
        foreach (var i in instances) i.Dispose();
    }

    [Fact]
    public async Task Ten_instances_rejected_with_the_same_token_mint_exactly_one_replacement()
    {
        await using var rig = await CredentialsRig.StartAsync(azurite);
        var instances = Instances(rig, 10);
        var original = await instances[0].Source.GetAsync(CancellationToken.None);
        await Task.WhenAll(instances.Select(i => i.Source.GetAsync(CancellationToken.None).AsTask()));
        rig.Time.Advance(TimeSpan.FromMinutes(21));

        var fresh = await Task.WhenAll(instances.Select(i => i.Source.RefreshAfterRejectionAsync(original, CancellationToken.None).AsTask()));

        Assert.Single(fresh.Select(t => t.Jwt).Distinct());
        Assert.NotEqual(original.Jwt, fresh[0].Jwt);
        Assert.Equal(2, instances.Sum(i => i.Minter.MintCount)); // the first token and its one replacement
        foreach (var i in instances) i.Dispose();
    }

    [Fact]
    public async Task The_twenty_minute_rule_holds_across_instances()
    {
        await using var rig = await CredentialsRig.StartAsync(azurite);
        var instances = Instances(rig, 3);
        var original = await instances[0].Source.GetAsync(CancellationToken.None);
        rig.Time.Advance(TimeSpan.FromMinutes(25));
        var replacement = await instances[0].Source.RefreshAfterRejectionAsync(original, CancellationToken.None);
        Assert.NotEqual(original.Jwt, replacement.Jwt);
        rig.Time.Advance(TimeSpan.FromMinutes(5));

        // Another instance has the replacement rejected only 5 minutes after it was minted: no new token.
        var refused = await instances[1].Source.RefreshAfterRejectionAsync(replacement, CancellationToken.None);
        // A third instance still holding the original gets the replacement, not a new mint.
        var shared = await instances[2].Source.RefreshAfterRejectionAsync(original, CancellationToken.None);

        Assert.Equal(replacement.Jwt, refused.Jwt);
        Assert.Equal(replacement.Jwt, shared.Jwt);
        Assert.Equal(2, instances.Sum(i => i.Minter.MintCount));
        Assert.Contains(rig.Logs.Entries, e => e.EventId.Id == 3414);
        foreach (var i in instances) i.Dispose();
    }

    [Fact]
    public async Task Three_instances_over_three_hours_never_trip_Apples_token_rules()
    {
        await using var rig = await CredentialsRig.StartAsync(azurite);
        var fetcher = rig.CreateFetcher();
        var instances = Enumerable.Range(0, 3).Select(_ =>
        {
            var store = rig.CreateStore();
            var minter = rig.CreateMinter();
            var source = rig.CreateApnsSource(store, minter);
            return (Store: store, Minter: minter, Source: source, Client: rig.CreateApnsClient(source), Refresher: rig.CreateRefresher(store, minter, fetcher));
        }).ToArray();
        var results = new List<PushResult>();
        var pushNumber = 0;

        for (var minute = 0; minute < 180; minute++)
        {
            if (minute % 5 == 0)
            {
                // Adversarial: the timer runs on every instance, not only the lease holder.
                foreach (var instance in instances)
                {
                    var report = await instance.Refresher.RunAsync(CancellationToken.None);
                    Assert.NotEqual(ProviderTokenRefreshOutcome.Failed, report.Apns);
                }
            }
            foreach (var instance in instances)
            {
                results.Add(await instance.Client.SendAsync(rig.Push(pushNumber++), CancellationToken.None));
            }
            rig.Time.Advance(TimeSpan.FromMinutes(1));
        }

        var rejected = results.OfType<PushRejected>().ToList();
        Assert.True(rejected.Count == 0, "rejected: " + string.Join(", ", rejected.Select(r => r.ProviderReason)));
        Assert.Equal(540, rig.Sandbox.ApnsPushes.Count);
        var seen = rig.Sandbox.ProviderTokensSeen.Where(t => t.TeamId == rig.Apns.TeamId).OrderBy(t => t.FirstSeenAt).ToList();
        for (var i = 1; i < seen.Count; i++)
        {
            Assert.True(seen[i].FirstSeenAt - seen[i - 1].FirstSeenAt >= TimeSpan.FromMinutes(20), $"token {i} came {seen[i].FirstSeenAt - seen[i - 1].FirstSeenAt} after the previous one");
        }
        var minted = instances.Sum(i => i.Minter.MintCount);
        output.WriteLine($"JWTs minted over 3 hours by 3 instances: {minted}; distinct JWTs APNs saw: {seen.Count}");
        // 50-minute interval, refreshed on the 5-minute timer: minutes 0, 50, 100 and 150.
        Assert.Equal(4, seen.Count);
        Assert.Equal(4, minted);
        Assert.DoesNotContain("eyJ", rig.Logs.AllText);
        foreach (var instance in instances)
        {
            instance.Client.Dispose();
            instance.Source.Dispose();
            instance.Store.Dispose();
        }
    }
}
