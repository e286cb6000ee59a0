using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Push.Core.Registry;

public static class RegistryServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="IDeviceRegistry"/> (Table storage) and <see cref="IDeviceKeyProtector"/> (AES-GCM KEK),
    /// bound from the "Registry" section and validated when the host starts. The host registers the
    /// <see cref="Azure.Data.Tables.TableServiceClient"/> (from AzureWebJobsStorage).
    /// </summary>
    public static IServiceCollection AddDeviceRegistry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(DeviceRegistryOptions.SectionName);

        services.AddOptions<DeviceRegistryOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DeviceRegistryOptions>, DeviceRegistryOptionsValidator>());
        services.AddOptions<DeviceKeyProtectionOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DeviceKeyProtectionOptions>, DeviceKeyProtectionOptionsValidator>());

        services.AddMemoryCache();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AesGcmDeviceKeyProtector>();
        services.TryAddSingleton<IDeviceKeyProtector>(sp => sp.GetRequiredService<AesGcmDeviceKeyProtector>());
        services.TryAddSingleton<TableDeviceRegistry>();
        services.TryAddSingleton<IDeviceRegistry>(sp => sp.GetRequiredService<TableDeviceRegistry>());
        return services;
    }
}
