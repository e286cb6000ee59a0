using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Push.Hosting.Configuration;

internal static class ShutdownGraceServiceCollectionExtensions
{
    /// <summary>
    /// host.json <c>shutdownTimeout</c> becomes the Generic Host's <c>HostOptions.ShutdownTimeout</c> (the grace every
    /// trigger drains within); a bad value stops the host naming the key. Every trigger runtime calls this.
    /// </summary>
    public static IServiceCollection AddFunctionsShutdownGrace(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HostOptions>().Configure(options =>
        {
            var reader = new SettingReader();
            var host = FunctionsHostOptions.Read(configuration, reader);
            if (reader.Errors.Count > 0)
            {
                throw new OptionsValidationException(FunctionsHostJsonExtensions.SectionName, typeof(FunctionsHostOptions), reader.Errors);
            }
            if (host.ShutdownTimeout is { } grace) options.ShutdownTimeout = grace;
        });
        return services;
    }
}
