using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Push.Providers;

namespace Push.Core.Ledger;

public static class LedgerServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="IDeliveryLedger"/> on Table storage, bound from the "Ledger" section and validated
    /// when the host starts. The host registers the <see cref="Azure.Data.Tables.TableServiceClient"/>.
    /// </summary>
    public static IServiceCollection AddDeliveryLedger(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddValidatedOptions<DeliveryLedgerOptions, DeliveryLedgerOptionsValidator>(configuration.GetSection(DeliveryLedgerOptions.SectionName));
        services.TryAddSingleton<TableDeliveryLedger>();
        services.TryAddSingleton<IDeliveryLedger>(sp => sp.GetRequiredService<TableDeliveryLedger>());
        return services;
    }
}
