using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Push.Providers.Apns;
using Push.Providers.Fcm;

namespace Push.Providers;

/// <summary>Registers the APNs and FCM clients, their token sources and validated options.</summary>
public static class PushProvidersServiceCollectionExtensions
{
    /// <summary>Both providers: <see cref="AddApnsClient"/> and <see cref="AddFcmClient"/>.</summary>
    public static IServiceCollection AddPushProviders(this IServiceCollection services, IConfiguration configuration) =>
        services.AddApnsClient(configuration).AddFcmClient(configuration);

    /// <summary>
    /// <see cref="IApnsClient"/> with options from the <c>Apns</c> section (pass the root configuration or
    /// that section), validated at start. The token source is registered only if none is: a shared
    /// store may register its own <see cref="IApnsProviderTokenSource"/> first.
    /// </summary>
    public static IServiceCollection AddApnsClient(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddValidatedOptions<ApnsOptions, ApnsOptionsValidator>(Section(configuration, ApnsOptions.SectionName));
        services.TryAddSingleton<ApnsJwtIssuer>();
        services.TryAddSingleton<IApnsProviderTokenSource>(sp => sp.GetRequiredService<ApnsJwtIssuer>());
        services.TryAddSingleton<ApnsClient>();
        services.TryAddSingleton<IApnsClient>(sp => sp.GetRequiredService<ApnsClient>());
        return services;
    }

    /// <summary>
    /// <see cref="IFcmClient"/> with options from the <c>Fcm</c> section (pass the root configuration or
    /// that section), validated at start, and <see cref="GoogleServiceAccountTokenSource"/> unless another
    /// <see cref="IFcmAccessTokenSource"/> is registered first.
    /// </summary>
    public static IServiceCollection AddFcmClient(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddValidatedOptions<FcmOptions, FcmOptionsValidator>(Section(configuration, FcmOptions.SectionName));
        services.TryAddSingleton<GoogleServiceAccountTokenSource>();
        services.TryAddSingleton<IFcmAccessTokenSource>(sp => sp.GetRequiredService<GoogleServiceAccountTokenSource>());
        services.TryAddSingleton<FcmClient>();
        services.TryAddSingleton<IFcmClient>(sp => sp.GetRequiredService<FcmClient>());
        return services;
    }

    private static IConfiguration Section(IConfiguration configuration, string name) =>
        configuration is IConfigurationSection section && string.Equals(section.Key, name, StringComparison.OrdinalIgnoreCase)
            ? section
            : configuration.GetSection(name);
}
