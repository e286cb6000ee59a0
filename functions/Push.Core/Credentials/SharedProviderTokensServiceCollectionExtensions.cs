using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Push.Core.Registry;
using Push.Providers;
using Push.Providers.Apns;
using Push.Providers.Fcm;

namespace Push.Core.Credentials;

/// <summary>Registers the provider tokens shared by all instances through blob storage.</summary>
public static class SharedProviderTokensServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ProviderTokenStore"/> (container ProviderTokens:ContainerName, default push-runtime,
    /// on the <see cref="BlobServiceClient"/> the host registers from AzureWebJobsStorage),
    /// <see cref="SharedApnsProviderTokenSource"/> and <see cref="SharedFcmAccessTokenSource"/> as THE
    /// <see cref="IApnsProviderTokenSource"/> and <see cref="IFcmAccessTokenSource"/>, the secret source
    /// (files, or Key Vault when KeyVault:Uri is set) and <see cref="ProviderTokenRefresher"/>.
    /// The providers register their per-instance token sources with TryAdd too, so this must come before
    /// AddPushProviders; <see cref="Composition.RelayComposition.AddRelayDomain"/> is the one place that orders them, and
    /// callers compose through it. The store encrypts with a key derived from Registry:KeyEncryptionKey.
    /// </summary>
    public static IServiceCollection AddSharedProviderTokens(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddValidatedOptions<SharedProviderTokenOptions, SharedProviderTokenOptionsValidator>(configuration.GetSection(SharedProviderTokenOptions.SectionName));
        services.AddValidatedOptions(configuration.GetSection(KeyVaultOptions.SectionName), new KeyVaultOptionsValidator(configuration));
        services.AddValidatedOptions<DeviceKeyProtectionOptions, DeviceKeyProtectionOptionsValidator>(configuration.GetSection(DeviceKeyProtectionOptions.SectionName));
        // The secret source reads the providers' file settings; declared here as AddPushProviders declares them.
        services.AddValidatedOptions<ApnsOptions, ApnsOptionsValidator>(configuration.GetSection(ApnsOptions.SectionName));
        services.AddValidatedOptions<FcmOptions, FcmOptionsValidator>(configuration.GetSection(FcmOptions.SectionName));

        services.TryAddSingleton(sp =>
        {
            var keyVault = sp.GetRequiredService<IOptions<KeyVaultOptions>>();
            var client = keyVault.Value.Uri is { } uri ? new SecretClient(uri, new DefaultAzureCredential()) : null;
            return new ProviderSecretSource(keyVault, sp.GetRequiredService<IOptions<ApnsOptions>>(), sp.GetRequiredService<IOptions<FcmOptions>>(), client);
        });
        services.TryAddSingleton(sp => new ProviderTokenStore(
            sp.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(sp.GetRequiredService<IOptions<SharedProviderTokenOptions>>().Value.ContainerName),
            sp.GetRequiredService<IOptions<DeviceKeyProtectionOptions>>(),
            sp.GetRequiredService<IOptions<SharedProviderTokenOptions>>(),
            sp.GetRequiredService<ILogger<ProviderTokenStore>>()));
        services.TryAddSingleton<ApnsProviderTokenMinter>();
        services.TryAddSingleton<FcmAccessTokenFetcher>();
        services.TryAddSingleton<SharedApnsProviderTokenSource>();
        services.TryAddSingleton<SharedFcmAccessTokenSource>();
        services.TryAddSingleton<IApnsProviderTokenSource>(sp => sp.GetRequiredService<SharedApnsProviderTokenSource>());
        services.TryAddSingleton<IFcmAccessTokenSource>(sp => sp.GetRequiredService<SharedFcmAccessTokenSource>());
        services.TryAddSingleton<ProviderTokenRefresher>();
        return services;
    }
}
