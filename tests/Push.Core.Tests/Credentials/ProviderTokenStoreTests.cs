using Push.Core.Credentials;
using Push.Core.Storage;
using Push.Testing;

namespace Push.Core.Tests.Credentials;

[Collection(CredentialsCollection.Name)]
public sealed class ProviderTokenStoreTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Round_trip_is_encrypted_at_rest_and_described_without_the_token()
    {
        await using var rig = await CredentialsRig.StartAsync(azurite);
        using var store = rig.CreateStore();
        var minter = rig.CreateMinter();
        var minted = await minter.MintAsync(CancellationToken.None);

        var stored = await store.TryWriteAsync(minter.Key, minted, ifMatch: null);

        Assert.NotNull(stored);
        var read = await store.ReadAsync(minter.Key);
        Assert.Equal(minted.Token, read!.Token);
        Assert.Equal(minted.IssuedAt, read.IssuedAt);
        Assert.Equal(minted.ExpiresAt, read.ExpiresAt);

        var raw = (await rig.Container.GetBlobClient($"tokens/apns/{rig.Apns.TeamId}-{rig.Apns.KeyId}").DownloadContentAsync()).Value.Content.ToString();
        Assert.Contains("\"ciphertext\"", raw);
        Assert.Contains("\"kind\":\"apns\"", raw);
        foreach (var segment in minted.Token.Split('.'))
        {
            Assert.DoesNotContain(segment, raw);
        }

        // Another KEK cannot read it: the ciphertext really depends on the configured key.
        using var otherKey = rig.CreateStore(Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        Assert.Null(await otherKey.ReadAsync(minter.Key));

        var description = Assert.Single(await store.DescribeAsync());
        Assert.Equal(ProviderTokenKind.Apns, description.Kind);
        Assert.Equal($"{rig.Apns.TeamId}-{rig.Apns.KeyId}", description.Credential);
        Assert.Equal(SecretHash.Of(minted.Token), description.TokenHash);
        Assert.Equal(minted.IssuedAt, description.IssuedAt);
        Assert.True(description.Readable);
        Assert.DoesNotContain(minted.Token, description.ToString());
        Assert.DoesNotContain(minted.Token, rig.Logs.AllText);
    }

    [Fact]
    public async Task Two_stores_racing_to_create_or_replace_have_exactly_one_winner()
    {
        await using var rig = await CredentialsRig.StartAsync(azurite);
        using var first = rig.CreateStore();
        using var second = rig.CreateStore();
        var minter = rig.CreateMinter();
        var a = await minter.MintAsync(CancellationToken.None);
        rig.Time.Advance(TimeSpan.FromSeconds(1));
        var b = await minter.MintAsync(CancellationToken.None);

        var results = await Task.WhenAll(first.TryWriteAsync(minter.Key, a, null), second.TryWriteAsync(minter.Key, b, null));

        var winner = Assert.Single(results, r => r is not null)!;
        Assert.Equal(winner.Token, (await first.ReadAsync(minter.Key))!.Token);
        Assert.Equal(winner.Token, (await second.ReadAsync(minter.Key))!.Token);

        // Replacing is conditional too: both read the same ETag, only the first replacement lands.
        var seen = (await first.ReadAsync(minter.Key))!;
        rig.Time.Advance(TimeSpan.FromSeconds(1));
        var c = await minter.MintAsync(CancellationToken.None);
        rig.Time.Advance(TimeSpan.FromSeconds(1));
        var d = await minter.MintAsync(CancellationToken.None);
        Assert.NotNull(await first.TryWriteAsync(minter.Key, c, seen.ETag));
        Assert.Null(await second.TryWriteAsync(minter.Key, d, seen.ETag));
        Assert.Equal(c.Token, (await second.ReadAsync(minter.Key))!.Token);
    }

    [Fact]
    public async Task Concurrent_refreshes_mint_once_and_everyone_gets_the_stored_token()
    {
        await using var rig = await CredentialsRig.StartAsync(azurite);
        using var seed = rig.CreateStore();
        var seedMinter = rig.CreateMinter();
        Assert.NotNull(await seed.TryWriteAsync(seedMinter.Key, await seedMinter.MintAsync(CancellationToken.None), null));
        rig.Time.Advance(TimeSpan.FromMinutes(30));
        var stores = Enumerable.Range(0, 6).Select(_ => rig.CreateStore()).ToArray();
        var minters = stores.Select(_ => rig.CreateMinter()).ToArray();

        var results = await Task.WhenAll(stores.Select((s, i) =>
            s.RefreshAsync(minters[i].Key, t => t is null || t.AgeAt(rig.Time.GetUtcNow()) >= TimeSpan.FromMinutes(20), minters[i].MintAsync)));

        Assert.Equal(1, minters.Sum(m => m.MintCount));
        Assert.Single(results, r => r.MintedHere);
        Assert.Single(results.Select(r => r.Token.Token).Distinct());
        foreach (var s in stores)
        {
            s.Dispose();
        }
    }
}
