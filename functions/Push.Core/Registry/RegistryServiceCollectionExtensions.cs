using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Push.Providers;

namespace Push.Core.Registry;

public static class RegistryServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="IDeviceRegistry"/> (Table storage), <see cref="IDeviceKeyProtector"/> (AES-GCM KEK) and the
    /// <see cref="DeviceKeyRewrap"/> that moves keys off an earlier KEK,
    /// bound from the "Registry" section and validated when the host starts. The host registers the
    /// <see cref="Azure.Data.Tables.TableServiceClient"/> (from AzureWebJobsStorage).
    /// </summary>
    public static IServiceCollection AddDeviceRegistry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(DeviceRegistryOptions.SectionName);

        services.AddValidatedOptions<DeviceRegistryOptions, DeviceRegistryOptionsValidator>(section);
        services.AddValidatedOptions<DeviceKeyProtectionOptions, DeviceKeyProtectionOptionsValidator>(configuration.GetSection(DeviceKeyProtectionOptions.SectionName));

        services.AddMemoryCache();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AesGcmDeviceKeyProtector>();
        services.TryAddSingleton<IDeviceKeyProtector>(sp => sp.GetRequiredService<AesGcmDeviceKeyProtector>());
        services.TryAddSingleton<TableDeviceRegistry>();
        services.TryAddSingleton<IDeviceRegistry>(sp => sp.GetRequiredService<TableDeviceRegistry>());
        services.TryAddSingleton<DeviceKeyRewrap>();
        return services;
    }
}
