using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Push.Core.Credentials;
using Push.Providers;
using Push.Providers.Apns;
using Push.Providers.Fcm;
using Push.Testing;

namespace Push.Core.Tests.Credentials;

[Collection(CredentialsCollection.Name)]
public sealed class SharedProviderTokensRegistrationTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Registered_before_the_providers_the_shared_sources_replace_the_per_instance_ones()
    {
        await using var rig = await CredentialsRig.StartAsync(azurite);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Apns:TeamId"] = rig.Apns.TeamId,
            ["Apns:KeyId"] = rig.Apns.KeyId,
            ["Apns:PrivateKeyPath"] = rig.Apns.PrivateKeyPath,
            ["Apns:Endpoint"] = rig.Apns.Endpoint.ToString(),
            ["Apns:TrustedCaPath"] = rig.Apns.TrustedCaPath,
            ["Fcm:ServiceAccountPath"] = rig.Fcm.ServiceAccountPath,
            ["Fcm:TrustedCaPath"] = rig.Fcm.TrustedCaPath,
            ["Registry:KeyEncryptionKey"] = rig.Kek,
            ["Registry:KeyEncryptionKeyId"] = "kek1",
            ["ProviderTokens:ContainerName"] = rig.Container.Name,
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton(new BlobServiceClient(azurite.ConnectionString));
        services.AddSingleton<TimeProvider>(rig.Time);
        services.AddSharedProviderTokens(configuration);
        services.AddPushProviders(configuration);
        await using var provider = services.BuildServiceProvider();

        Assert.IsType<SharedApnsProviderTokenSource>(provider.GetRequiredService<IApnsProviderTokenSource>());
        Assert.IsType<SharedFcmAccessTokenSource>(provider.GetRequiredService<IFcmAccessTokenSource>());
        var report = await provider.GetRequiredService<ProviderTokenRefresher>().RunAsync(CancellationToken.None);
        Assert.Equal(new ProviderTokenRefreshReport(ProviderTokenRefreshOutcome.Refreshed, ProviderTokenRefreshOutcome.Refreshed), report);
        Assert.Equal(2, (await provider.GetRequiredService<ProviderTokenStore>().DescribeAsync()).Count);
    }

    [Fact]
    public void A_bad_setting_is_named_at_start()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ProviderTokens:StoreRecheckInterval"] = "00:00:00",
            ["KeyVault:Uri"] = "http://not-https.example/",
        }).Build();
        using var provider = new ServiceCollection().AddLogging().AddSharedProviderTokens(configuration).BuildServiceProvider();

        var shared = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SharedProviderTokenOptions>>().Value);
        Assert.Contains("ProviderTokens:StoreRecheckInterval", shared.Message);
        var keyVault = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<KeyVaultOptions>>().Value);
        Assert.Contains("KeyVault:Uri", keyVault.Message);
    }
}
